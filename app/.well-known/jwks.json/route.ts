import { appDb } from "@/db/client";
import { respond } from "@/lib/api/operation";
import { toolTokensApi } from "@/lib/api/operations";
import { handle } from "@/lib/http/respond";
import { publishedJwks } from "@/lib/tool-tokens";

export const dynamic = "force-dynamic";

/** Tools verify tool tokens offline with these keys; a short cache, so a rotation reaches them within a minute. */
export async function GET(req: Request): Promise<Response> {
  return handle(req, async () => respond(toolTokensApi.jwks, 200, await publishedJwks(appDb()), { "cache-control": "public, max-age=60" }));
}
