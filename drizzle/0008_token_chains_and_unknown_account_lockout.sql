CREATE TABLE "unknown_account_sign_ins" (
	"email" text PRIMARY KEY NOT NULL,
	"failed_sign_ins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "owner_user_id" uuid;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "parent_token_id" uuid;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_parent_token_id_api_tokens_id_fk" FOREIGN KEY ("parent_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_tokens_owner_user_id_index" ON "api_tokens" USING btree ("owner_user_id");--> statement-breakpoint
CREATE INDEX "api_tokens_parent_token_id_index" ON "api_tokens" USING btree ("parent_token_id");--> statement-breakpoint
-- Existing tokens: the chain is read back from created_by, as the audit log wrote it ("user:<e-mail>", "token:<name>:<first 8 of id>").
-- A person's token belongs to that person.
UPDATE "api_tokens" AS t SET "owner_user_id" = u."id"
FROM "users" AS u
WHERE t."owner_user_id" IS NULL AND t."parent_token_id" IS NULL AND t."created_by" = 'user:' || u."email";--> statement-breakpoint
-- A token's token hangs under the one token that name and id prefix identify.
UPDATE "api_tokens" AS t SET "parent_token_id" = p."id"
FROM "api_tokens" AS p
WHERE t."owner_user_id" IS NULL AND t."parent_token_id" IS NULL AND p."id" <> t."id"
  AND t."created_by" = 'token:' || p."name" || ':' || left(p."id"::text, 8)
  AND (SELECT count(*) FROM "api_tokens" AS q WHERE t."created_by" = 'token:' || q."name" || ':' || left(q."id"::text, 8)) = 1;--> statement-breakpoint
-- Every token minted from another belongs to the owner at the root of its chain.
WITH RECURSIVE "chain" AS (
  SELECT "id", "owner_user_id" AS "root_owner" FROM "api_tokens" WHERE "parent_token_id" IS NULL
  UNION ALL
  SELECT c."id", "chain"."root_owner" FROM "api_tokens" AS c JOIN "chain" ON c."parent_token_id" = "chain"."id"
)
UPDATE "api_tokens" AS t SET "owner_user_id" = "chain"."root_owner"
FROM "chain"
WHERE t."id" = "chain"."id" AND t."parent_token_id" IS NOT NULL AND t."owner_user_id" IS DISTINCT FROM "chain"."root_owner";--> statement-breakpoint
-- Fail closed: a token made by a person or token that can no longer be identified would otherwise act as the operator's.
UPDATE "api_tokens" SET "revoked_at" = now()
WHERE "revoked_at" IS NULL AND "owner_user_id" IS NULL AND "parent_token_id" IS NULL
  AND ("created_by" LIKE 'user:%' OR "created_by" LIKE 'token:%');
