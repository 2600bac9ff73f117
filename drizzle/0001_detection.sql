CREATE TYPE "public"."alert_severity" AS ENUM('low', 'medium', 'high', 'critical');--> statement-breakpoint
CREATE TABLE "agent_baselines" (
	"agent_id" text PRIMARY KEY NOT NULL,
	"configured" jsonb,
	"configured_by" text,
	"configured_at" timestamp with time zone,
	"learned" jsonb,
	"learned_evidence" jsonb,
	"learned_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"session_id" text,
	"type" text NOT NULL,
	"severity" "alert_severity" NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"detail" text NOT NULL,
	"count" integer NOT NULL,
	"baseline_source" text,
	"first_event_id" uuid,
	"first_event_at" timestamp (6) with time zone,
	"last_event_id" uuid,
	"last_event_at" timestamp (6) with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"resolution_note" text
);
--> statement-breakpoint
CREATE TABLE "canaries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agent_id" text NOT NULL,
	"token" text NOT NULL,
	"placement" text NOT NULL,
	"label" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "canaries_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "findings_hourly" (
	"agent_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "findings_hourly_agent_id_hour_type_pk" PRIMARY KEY("agent_id","hour","type")
);
--> statement-breakpoint
CREATE TABLE "metric_counters" (
	"family" text NOT NULL,
	"agent_id" text NOT NULL,
	"label" text NOT NULL,
	"value" bigint NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "metric_counters_family_agent_id_label_pk" PRIMARY KEY("family","agent_id","label")
);
--> statement-breakpoint
CREATE TABLE "agent_activity_minutely" (
	"agent_id" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"llm_calls" integer NOT NULL,
	"tool_calls" integer NOT NULL,
	"decisions" integer NOT NULL,
	"errors" integer NOT NULL,
	"security_events" integer NOT NULL,
	CONSTRAINT "agent_activity_minutely_agent_id_minute_pk" PRIMARY KEY("agent_id","minute")
);
--> statement-breakpoint
CREATE TABLE "notification_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"delivery_id" bigint NOT NULL,
	"attempt" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"status_code" integer,
	"error" text,
	"duration_ms" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"destination_id" uuid NOT NULL,
	"alert_id" bigint,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "notification_destinations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"url_sealed" text NOT NULL,
	"url_hint" text NOT NULL,
	"min_severity" "alert_severity" NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"signing_key_version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agent_activity_hourly" ADD COLUMN "decisions" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_activity_hourly" ADD COLUMN "security_events" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "tool_calls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "llm_calls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "peak_tool_calls_per_minute" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_baselines" ADD CONSTRAINT "agent_baselines_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "canaries" ADD CONSTRAINT "canaries_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_attempts" ADD CONSTRAINT "notification_attempts_delivery_id_notification_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."notification_deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_destination_id_notification_destinations_id_fk" FOREIGN KEY ("destination_id") REFERENCES "public"."notification_destinations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_group_idx" ON "alerts" USING btree ("agent_id",coalesce("session_id", ''),"type","severity") WHERE "alerts"."status" <> 'resolved';--> statement-breakpoint
CREATE INDEX "alerts_status_severity_index" ON "alerts" USING btree ("status","severity");--> statement-breakpoint
CREATE INDEX "alerts_agent_id_id_index" ON "alerts" USING btree ("agent_id","id");--> statement-breakpoint
CREATE INDEX "alerts_session_id_index" ON "alerts" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "alerts_last_seen_at_index" ON "alerts" USING btree ("last_seen_at");--> statement-breakpoint
CREATE INDEX "canaries_agent_id_index" ON "canaries" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "findings_hourly_hour_index" ON "findings_hourly" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "agent_activity_minutely_minute_index" ON "agent_activity_minutely" USING btree ("minute");--> statement-breakpoint
CREATE INDEX "notification_attempts_delivery_id_index" ON "notification_attempts" USING btree ("delivery_id");--> statement-breakpoint
CREATE INDEX "notification_deliveries_status_next_attempt_at_index" ON "notification_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "notification_deliveries_destination_id_id_index" ON "notification_deliveries" USING btree ("destination_id","id");--> statement-breakpoint
UPDATE "sessions" s SET "tool_calls" = e.tool_calls, "llm_calls" = e.llm_calls
FROM (
	SELECT session_id, agent_id, count(*) FILTER (WHERE action_type = 'tool_call') AS tool_calls,
		count(*) FILTER (WHERE action_type = 'llm_call') AS llm_calls
	FROM "events" GROUP BY session_id, agent_id
) e
WHERE s.session_id = e.session_id AND s.agent_id = e.agent_id;--> statement-breakpoint
UPDATE "agent_activity_hourly" h SET "decisions" = e.decisions, "security_events" = e.security_events
FROM (
	SELECT agent_id, date_trunc('hour', ts, 'UTC') AS hour, count(*) FILTER (WHERE action_type = 'decision') AS decisions,
		count(*) FILTER (WHERE action_type = 'security') AS security_events
	FROM "events" GROUP BY 1, 2
) e
WHERE h.agent_id = e.agent_id AND h.hour = e.hour;
