import { getIncident, incidentRef } from "@/db/queries/incidents";
import { parseOrThrow } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { incidentIdSchema } from "@/lib/incidents/schemas";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ incidentId: string }>("viewer", async ({ ctx, params }) => {
  const id = parseOrThrow(incidentIdSchema, params.incidentId);
  const incident = await getIncident(ctx.db, id);
  if (!incident) throw new AppError("NOT_FOUND", `No incident ${incidentRef(id)}`);
  return json(incident);
});
