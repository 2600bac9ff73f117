import { listCredentials } from "@/db/queries/credentials";
import { respond } from "@/lib/api/operation";
import { credentialsApi } from "@/lib/api/operations";
import { createCredential } from "@/lib/credentials";
import { parseCredentialListQuery } from "@/lib/credentials/schemas";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `?agent_id=`: one agent's inventory; without it, every agent's (analyst+). Never any secret. */
export const GET = authedRoute(credentialsApi.list, async ({ req, ctx }) =>
  respond(credentialsApi.list, 200, { credentials: await listCredentials(ctx.db, parseCredentialListQuery(new URL(req.url).searchParams).agent_id ?? null) }),
);

/** `{agent_id, name, kind, config, current_secret?}` (admin); an issued HMAC secret or a webhook signing key is in this answer only. */
export const POST = authedRoute(credentialsApi.create, async ({ req, ctx }) =>
  respond(credentialsApi.create, 201, await createCredential({ ctx, input: await readJson(req) })),
);
