import { parseOrThrow } from "@/lib/auth/authorize";
import { readIncident } from "@/lib/incidents";
import { incidentIdSchema } from "@/lib/incidents/schemas";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The incident with its steps and activity; a viewer gets each step's state but not the forensic results (analyst+). */
export const GET = authedRoute<{ incidentId: string }>("viewer", async ({ ctx, params }) =>
  json(await readIncident(ctx, parseOrThrow(incidentIdSchema, params.incidentId))),
);
