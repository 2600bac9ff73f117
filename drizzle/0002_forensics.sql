CREATE TABLE "agent_communications_hourly" (
	"agent_id" text NOT NULL,
	"peer_agent_id" text NOT NULL,
	"direction" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"first_at" timestamp (6) with time zone NOT NULL,
	"last_at" timestamp (6) with time zone NOT NULL,
	"last_session_id" text NOT NULL,
	CONSTRAINT "agent_communications_hourly_agent_id_peer_agent_id_direction_hour_pk" PRIMARY KEY("agent_id","peer_agent_id","direction","hour")
);
--> statement-breakpoint
CREATE TABLE "evidence_snapshots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"taken_by" text NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"event_count" integer NOT NULL,
	"alert_count" integer NOT NULL,
	"ndjson_sha256" text NOT NULL,
	"ndjson" "bytea" NOT NULL,
	"manifest" text NOT NULL,
	"manifest_fields" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "findings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"alert_id" bigint NOT NULL,
	"agent_id" text NOT NULL,
	"session_id" text NOT NULL,
	"event_id" uuid NOT NULL,
	"event_at" timestamp (6) with time zone NOT NULL,
	"type" text NOT NULL,
	"severity" "alert_severity" NOT NULL,
	"detail" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "agent_communications_hourly_peer_agent_id_hour_index" ON "agent_communications_hourly" USING btree ("peer_agent_id","hour");--> statement-breakpoint
CREATE INDEX "agent_communications_hourly_hour_index" ON "agent_communications_hourly" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "evidence_snapshots_session_id_agent_id_taken_at_index" ON "evidence_snapshots" USING btree ("session_id","agent_id","taken_at");--> statement-breakpoint
CREATE INDEX "findings_session_id_agent_id_event_at_index" ON "findings" USING btree ("session_id","agent_id","event_at");--> statement-breakpoint
CREATE INDEX "findings_alert_id_index" ON "findings" USING btree ("alert_id");--> statement-breakpoint
CREATE INDEX "findings_event_at_index" ON "findings" USING btree ("event_at");--> statement-breakpoint
CREATE FUNCTION evidence_snapshots_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evidence snapshots are never changed or deleted' USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER evidence_snapshots_frozen BEFORE UPDATE OR DELETE ON evidence_snapshots
  FOR EACH ROW EXECUTE FUNCTION evidence_snapshots_refuse_change();
--> statement-breakpoint
CREATE TRIGGER evidence_snapshots_no_truncate BEFORE TRUNCATE ON evidence_snapshots
  FOR EACH STATEMENT EXECUTE FUNCTION evidence_snapshots_refuse_change();
--> statement-breakpoint
-- Alerts raised before findings were kept one per event: their first event stands for them.
INSERT INTO findings (alert_id, agent_id, session_id, event_id, event_at, type, severity, detail, created_at)
SELECT id, agent_id, session_id, first_event_id, first_event_at, type, severity, detail, created_at
FROM alerts WHERE session_id IS NOT NULL AND first_event_id IS NOT NULL AND first_event_at IS NOT NULL;
