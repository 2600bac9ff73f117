import { listCredentials } from "@/db/queries/credentials";
import { createCredential } from "@/lib/credentials";
import { parseCredentialListQuery } from "@/lib/credentials/schemas";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `?agent_id=`: one agent's inventory; without it, every agent's (analyst+). Never any secret. */
export const GET = authedRoute("analyst", async ({ req, ctx }) =>
  json({ credentials: await listCredentials(ctx.db, parseCredentialListQuery(new URL(req.url).searchParams).agent_id ?? null) }),
);

/** `{agent_id, name, kind, config, current_secret?}` (admin); an issued HMAC secret or a webhook signing key is in this answer only. */
export const POST = authedRoute("admin", async ({ req, ctx }) => json(await createCredential({ ctx, input: await readJson(req) }), 201));
