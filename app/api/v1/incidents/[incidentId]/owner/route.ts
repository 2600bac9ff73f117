import { takeIncidentOwnership } from "@/lib/incidents";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The caller takes ownership of the incident (responder+). */
export const POST = authedRoute<{ incidentId: string }>("responder", async ({ ctx, params }) => json(await takeIncidentOwnership({ ctx, input: { incidentId: params.incidentId } })));
