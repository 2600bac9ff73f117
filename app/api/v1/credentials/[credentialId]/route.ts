import { getCredential } from "@/db/queries/credentials";
import { respond } from "@/lib/api/operation";
import { credentialsApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { retireCredential, updateCredential } from "@/lib/credentials";
import { credentialIdSchema } from "@/lib/credentials/schemas";
import { AppError } from "@/lib/errors";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

type Params = { credentialId: string };

export const GET = authedRoute<Params>(credentialsApi.get, async ({ ctx, params }) => {
  const credential = await getCredential(ctx.db, parseOrThrow(credentialIdSchema, params.credentialId));
  if (!credential) throw new AppError("NOT_FOUND", `No credential ${params.credentialId}`);
  return respond(credentialsApi.get, 200, { credential });
});

/** `{name?, config?, current_secret?}` (admin); refused while the credential is being rotated. */
export const PATCH = authedRoute<Params>(credentialsApi.update, async ({ req, ctx, params }) =>
  respond(credentialsApi.update, 200, { credential: await updateCredential({ ctx, input: { id: params.credentialId, body: await readJson(req) } }) }),
);

/** `{reason}` (admin): out of the inventory; its rotation history stays. */
export const DELETE = authedRoute<Params>(credentialsApi.retire, async ({ req, ctx, params }) =>
  respond(credentialsApi.retire, 200, await retireCredential({ ctx, input: { id: params.credentialId, body: await readJson(req) } })),
);
