CREATE TABLE "agent_policies" (
	"agent_id" text PRIMARY KEY NOT NULL,
	"policy" jsonb NOT NULL,
	"version" integer NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_policy_versions" (
	"agent_id" text NOT NULL,
	"version" integer NOT NULL,
	"policy" jsonb,
	"change" jsonb NOT NULL,
	"changed_by" text NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text,
	CONSTRAINT "agent_policy_versions_agent_id_version_pk" PRIMARY KEY("agent_id","version")
);
--> statement-breakpoint
CREATE TABLE "capability_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source_agent" text NOT NULL,
	"target_agent" text NOT NULL,
	"allowed_actions" jsonb NOT NULL,
	"max_requests_per_minute" integer NOT NULL,
	"expires_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_by" text,
	"revoked_at" timestamp with time zone,
	"revoke_reason" text
);
--> statement-breakpoint
ALTER TABLE "agent_policies" ADD CONSTRAINT "agent_policies_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_policy_versions" ADD CONSTRAINT "agent_policy_versions_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_policy_versions_changed_at_index" ON "agent_policy_versions" USING btree ("changed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "capability_grants_in_force_idx" ON "capability_grants" USING btree ("source_agent","target_agent") WHERE "capability_grants"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "capability_grants_target_agent_index" ON "capability_grants" USING btree ("target_agent");