import { getIncidentRow, incidentRef } from "@/db/queries/incidents";
import { unresolvedFailures } from "@/db/queries/rotations";
import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/lib/http/authed-route";
import { incidentIdSchema } from "@/lib/incidents/schemas";

export const dynamic = "force-dynamic";

/** Credentials of the incident (its runs, or any run over its agents) that failed to rotate and nobody has resolved (analyst+). */
export const GET = authedRoute<{ incidentId: string }>(incidentsApi.rotationFailures, async ({ ctx, params }) => {
  const id = parseOrThrow(incidentIdSchema, params.incidentId);
  if (!(await getIncidentRow(ctx.db, id))) throw new AppError("NOT_FOUND", `No incident ${incidentRef(id)}`);
  return respond(incidentsApi.rotationFailures, 200, { failures: await unresolvedFailures(ctx.db, id) });
});
