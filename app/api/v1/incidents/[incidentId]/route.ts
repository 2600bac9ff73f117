import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { authedRoute } from "@/lib/http/authed-route";
import { readIncident } from "@/lib/incidents";
import { incidentIdSchema } from "@/lib/incidents/schemas";

export const dynamic = "force-dynamic";

/** The incident with its steps and activity; a viewer gets each step's state but not the forensic results (analyst+). */
export const GET = authedRoute<{ incidentId: string }>(incidentsApi.get, async ({ ctx, params }) =>
  respond(incidentsApi.get, 200, await readIncident(ctx, parseOrThrow(incidentIdSchema, params.incidentId))),
);
