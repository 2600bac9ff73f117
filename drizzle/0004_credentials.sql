CREATE TABLE "credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agent_id" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"config" jsonb NOT NULL,
	"secret_sealed" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "rotation_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"credential_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"step" text DEFAULT 'revoke_old' NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"revoked_old" boolean,
	"old_refused" boolean,
	"facts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"old_secret_sealed" text,
	"new_secret_sealed" text,
	"revealed_at" timestamp with time zone,
	"revealed_by" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"resolution_note" text
);
--> statement-breakpoint
CREATE TABLE "rotation_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agent_ids" text[] NOT NULL,
	"incident_id" bigint,
	"status" text DEFAULT 'running' NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"summary" jsonb
);
--> statement-breakpoint
ALTER TABLE "ingest_keys" ADD COLUMN "refused_after_revoke_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ingest_keys" ADD COLUMN "last_refused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rotation_items" ADD CONSTRAINT "rotation_items_run_id_rotation_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."rotation_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rotation_items" ADD CONSTRAINT "rotation_items_credential_id_credentials_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."credentials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rotation_runs" ADD CONSTRAINT "rotation_runs_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credentials_agent_name_idx" ON "credentials" USING btree ("agent_id","name") WHERE "credentials"."retired_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "credentials_one_ingest_key_idx" ON "credentials" USING btree ("agent_id") WHERE "credentials"."kind" = 'ingest_key' AND "credentials"."retired_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "rotation_items_run_id_credential_id_index" ON "rotation_items" USING btree ("run_id","credential_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rotation_items_one_live_idx" ON "rotation_items" USING btree ("credential_id") WHERE "rotation_items"."state" IN ('pending', 'retrying');--> statement-breakpoint
CREATE INDEX "rotation_items_state_next_attempt_at_index" ON "rotation_items" USING btree ("state","next_attempt_at");--> statement-breakpoint
CREATE INDEX "rotation_items_credential_id_index" ON "rotation_items" USING btree ("credential_id");--> statement-breakpoint
CREATE INDEX "rotation_runs_incident_id_index" ON "rotation_runs" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "rotation_runs_created_at_index" ON "rotation_runs" USING btree ("created_at");--> statement-breakpoint
INSERT INTO "credentials" ("agent_id", "name", "kind", "config", "created_by") SELECT "id", 'ingest key', 'ingest_key', '{}'::jsonb, 'system:migration' FROM "agents";
