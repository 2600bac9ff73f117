import { appDb } from "@/db/client";
import { unexpiredRevocations } from "@/db/queries/tool-tokens";
import { respond } from "@/lib/api/operation";
import { toolTokensApi } from "@/lib/api/operations";
import { handle } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Public, like the JWKS: token ids are random and say nothing about whose they were. */
export async function GET(req: Request): Promise<Response> {
  return handle(req, async () =>
    respond(toolTokensApi.revocations, 200, { revoked: await unexpiredRevocations(appDb()), as_of: new Date().toISOString() }, { "cache-control": "no-store" }),
  );
}
