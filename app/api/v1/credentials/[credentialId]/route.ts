import { getCredential } from "@/db/queries/credentials";
import { retireCredential, updateCredential } from "@/lib/credentials";
import { credentialIdSchema } from "@/lib/credentials/schemas";
import { parseOrThrow } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

type Params = { credentialId: string };

export const GET = authedRoute<Params>("analyst", async ({ ctx, params }) => {
  const credential = await getCredential(ctx.db, parseOrThrow(credentialIdSchema, params.credentialId));
  if (!credential) throw new AppError("NOT_FOUND", `No credential ${params.credentialId}`);
  return json({ credential });
});

/** `{name?, config?, current_secret?}` (admin); refused while the credential is being rotated. */
export const PATCH = authedRoute<Params>("admin", async ({ req, ctx, params }) =>
  json({ credential: await updateCredential({ ctx, input: { id: params.credentialId, body: await readJson(req) } }) }),
);

/** `{reason}` (admin): out of the inventory; its rotation history stays. */
export const DELETE = authedRoute<Params>("admin", async ({ req, ctx, params }) =>
  json(await retireCredential({ ctx, input: { id: params.credentialId, body: await readJson(req) } })),
);
