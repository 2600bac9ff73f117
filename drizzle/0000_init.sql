CREATE TABLE "agents" (
	"id" text PRIMARY KEY NOT NULL,
	"display_name" text NOT NULL,
	"ingest_rate_limit_per_min" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "ingest_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agent_id" text NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "ingest_keys_keyHash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"reason" text,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"source_ip" text,
	"hash_alg" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_id_positive" CHECK ("audit_log"."id" > 0)
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"token_prefix" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "user_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"source_ip" text,
	"user_agent" text,
	CONSTRAINT "user_sessions_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"failed_sign_ins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"password_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"must_change_password" boolean DEFAULT false NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "agent_activity_hourly" (
	"agent_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"events" integer NOT NULL,
	"tool_calls" integer NOT NULL,
	"llm_calls" integer NOT NULL,
	"errors" integer NOT NULL,
	"cost_usd" double precision NOT NULL,
	"tokens" bigint NOT NULL,
	CONSTRAINT "agent_activity_hourly_agent_id_hour_pk" PRIMARY KEY("agent_id","hour")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"ts" timestamp (6) with time zone NOT NULL,
	"event_id" uuid NOT NULL,
	"agent_id" text NOT NULL,
	"session_id" text NOT NULL,
	"action_type" text NOT NULL,
	"action_name" text NOT NULL,
	"input_summary" text NOT NULL,
	"output_summary" text NOT NULL,
	"duration_ms" double precision NOT NULL,
	"token_count" integer,
	"cost_usd" double precision,
	"tool_name" text,
	"tool_args_hash" text,
	"error" text,
	"security_flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"metadata" jsonb,
	"action_sequence" integer,
	"session_elapsed_s" double precision,
	"session_total_cost_usd" double precision,
	"redactions" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_ts_agent_id_event_id_pk" PRIMARY KEY("ts","agent_id","event_id")
) PARTITION BY RANGE ("ts");
--> statement-breakpoint
CREATE TABLE "sessions" (
	"session_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"started_at" timestamp (6) with time zone NOT NULL,
	"last_event_at" timestamp (6) with time zone NOT NULL,
	"event_count" integer NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"tokens" bigint DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "sessions_session_id_agent_id_pk" PRIMARY KEY("session_id","agent_id")
);
--> statement-breakpoint
CREATE TABLE "kill_policies" (
	"agent_id" text NOT NULL,
	"rule" text NOT NULL,
	"threshold" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kill_switch_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"action" text NOT NULL,
	"agent_id" text,
	"reason" text,
	"actor" text NOT NULL,
	"source" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kill_switch_sync" (
	"id" integer PRIMARY KEY NOT NULL,
	"generation" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kill_switches" (
	"scope" text NOT NULL,
	"agent_id" text NOT NULL,
	"killed" boolean NOT NULL,
	"reason" text,
	"killed_by" text,
	"killed_at" timestamp (3) with time zone,
	"source" text NOT NULL,
	"acknowledged_at" timestamp (3) with time zone,
	"actions_after_kill" integer DEFAULT 0 NOT NULL,
	"last_action_after_kill_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ingest_keys" ADD CONSTRAINT "ingest_keys_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ingest_keys_agent_id_index" ON "ingest_keys" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_index" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_target_type_target_id_index" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_id_index" ON "audit_log" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "audit_log_action_index" ON "audit_log" USING btree ("action");--> statement-breakpoint
CREATE INDEX "user_sessions_user_id_index" ON "user_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "agent_activity_hourly_hour_index" ON "agent_activity_hourly" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "events_session_idx" ON "events" USING btree ("session_id","ts","action_sequence");--> statement-breakpoint
CREATE INDEX "events_agent_ts_idx" ON "events" USING btree ("agent_id","ts");--> statement-breakpoint
CREATE INDEX "sessions_agent_id_last_event_at_index" ON "sessions" USING btree ("agent_id","last_event_at");--> statement-breakpoint
CREATE INDEX "sessions_last_event_at_index" ON "sessions" USING btree ("last_event_at");--> statement-breakpoint
CREATE UNIQUE INDEX "kill_policies_agent_id_rule_index" ON "kill_policies" USING btree ("agent_id","rule");--> statement-breakpoint
CREATE INDEX "kill_switch_history_agent_id_at_index" ON "kill_switch_history" USING btree ("agent_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "kill_switches_scope_agent_id_index" ON "kill_switches" USING btree ("scope","agent_id");