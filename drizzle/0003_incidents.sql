CREATE TABLE "incident_activity" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"incident_id" bigint NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"kind" text NOT NULL,
	"summary" text NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "incident_steps" (
	"incident_id" bigint NOT NULL,
	"step_id" text NOT NULL,
	"position" integer NOT NULL,
	"phase" text NOT NULL,
	"title" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"actor" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"note" text,
	"output" jsonb,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"severity" "alert_severity" NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"agent_ids" text[] NOT NULL,
	"session_ids" text[] NOT NULL,
	"alert_ids" bigint[] NOT NULL,
	"runbook_id" uuid NOT NULL,
	"runbook_version" integer NOT NULL,
	"owner_id" text NOT NULL,
	"owner_name" text NOT NULL,
	"escalation" jsonb NOT NULL,
	"post_incident_notes" text DEFAULT '' NOT NULL,
	"opened_by" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp (6) with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runbook_versions" (
	"runbook_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"source" text NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runbooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"latest_version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "runbooks_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "incident_activity" ADD CONSTRAINT "incident_activity_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_steps" ADD CONSTRAINT "incident_steps_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_runbook_id_runbooks_id_fk" FOREIGN KEY ("runbook_id") REFERENCES "public"."runbooks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runbook_versions" ADD CONSTRAINT "runbook_versions_runbook_id_runbooks_id_fk" FOREIGN KEY ("runbook_id") REFERENCES "public"."runbooks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incident_activity_incident_id_id_index" ON "incident_activity" USING btree ("incident_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "incident_steps_incident_id_step_id_index" ON "incident_steps" USING btree ("incident_id","step_id");--> statement-breakpoint
CREATE INDEX "incident_steps_incident_id_position_index" ON "incident_steps" USING btree ("incident_id","position");--> statement-breakpoint
CREATE INDEX "incidents_status_opened_at_index" ON "incidents" USING btree ("status","opened_at");--> statement-breakpoint
CREATE INDEX "incidents_agent_ids_idx" ON "incidents" USING gin ("agent_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "runbook_versions_runbook_id_version_index" ON "runbook_versions" USING btree ("runbook_id","version");