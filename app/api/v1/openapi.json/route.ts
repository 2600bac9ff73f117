import { openApiDocument } from "@/lib/api/document";
import { respond } from "@/lib/api/operation";
import { docsApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** The whole HTTP API as OpenAPI 3.1, built from the operations the routes serve. */
export const GET = authedRoute(docsApi.openApi, async () => respond(docsApi.openApi, 200, openApiDocument()));
