CREATE TABLE "tool_token_keys" (
	"generation" integer PRIMARY KEY NOT NULL,
	"kid" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tool_tokens" (
	"jti" uuid PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"key_id" uuid,
	"session_id" text,
	"tools" jsonb NOT NULL,
	"permissions" jsonb NOT NULL,
	"tool_permissions" jsonb NOT NULL,
	"alg" text NOT NULL,
	"kid" text,
	"policy_version" integer NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	"revoke_reason" text
);
--> statement-breakpoint
ALTER TABLE "tool_tokens" ADD CONSTRAINT "tool_tokens_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tool_tokens" ADD CONSTRAINT "tool_tokens_key_id_ingest_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."ingest_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tool_tokens_agent_id_expires_at_index" ON "tool_tokens" USING btree ("agent_id","expires_at");--> statement-breakpoint
CREATE INDEX "tool_tokens_revoked_idx" ON "tool_tokens" USING btree ("revoked_at") WHERE "tool_tokens"."revoked_at" IS NOT NULL;