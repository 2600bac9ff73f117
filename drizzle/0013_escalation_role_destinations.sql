CREATE TABLE "escalation_role_destinations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"role" text NOT NULL,
	"destination_id" uuid NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD COLUMN "event" text;--> statement-breakpoint
ALTER TABLE "escalation_role_destinations" ADD CONSTRAINT "escalation_role_destinations_destination_id_notification_destinations_id_fk" FOREIGN KEY ("destination_id") REFERENCES "public"."notification_destinations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "escalation_role_destinations_role_destination_id_index" ON "escalation_role_destinations" USING btree ("role","destination_id");