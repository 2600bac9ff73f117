import { listDestinations } from "@/db/queries/notifications";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { createDestination } from "@/lib/notify";

export const dynamic = "force-dynamic";

export const GET = authedRoute("admin", async ({ ctx }) => json({ destinations: await listDestinations(ctx.db) }));

/**
 * `{"name", "kind": "slack"|"json", "url", "min_severity": "low"|"medium"|"high"|"critical", "enabled"?}`
 * → `{"destination", "signing_key"}`; the key (JSON destinations only) is shown this once.
 */
export const POST = authedRoute("admin", async ({ req, ctx }) => json(await createDestination({ ctx, input: await readJson(req) }), 201));
