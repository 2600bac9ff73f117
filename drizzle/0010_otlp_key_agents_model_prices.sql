CREATE TABLE "ingest_key_agents" (
	"key_id" uuid NOT NULL,
	"agent_id" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ingest_key_agents_key_id_agent_id_pk" PRIMARY KEY("key_id","agent_id")
);
--> statement-breakpoint
CREATE TABLE "model_prices" (
	"model" text PRIMARY KEY NOT NULL,
	"input_usd_per_mtok" double precision NOT NULL,
	"output_usd_per_mtok" double precision NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ingest_key_agents" ADD CONSTRAINT "ingest_key_agents_key_id_ingest_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."ingest_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_key_agents" ADD CONSTRAINT "ingest_key_agents_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;