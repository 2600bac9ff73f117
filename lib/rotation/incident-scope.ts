import { getSessionSummaries } from "@/db/queries/sessions";
import { parseTimelineQuery } from "@/db/queries/timeline";
import type { incidents } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { getSessionTimeline } from "@/lib/forensics/session-timeline";

/**
 * The secrets the blast radius of an incident's sessions says its agents read (metadata secret_id,
 * secret_name, credential_id, credential_name from the injection point on): an incident's rotation
 * also covers inventory credentials so named, whichever agent they belong to.
 */
export async function secretsNamedByIncident(ctx: Ctx, incident: Pick<typeof incidents.$inferSelect, "agentIds" | "sessionIds">): Promise<string[]> {
  const names = new Set<string>();
  for (const sessionId of incident.sessionIds) {
    for (const session of await getSessionSummaries(ctx.db, sessionId)) {
      if (!incident.agentIds.includes(session.agent_id)) continue;
      const timeline = await getSessionTimeline({ ctx, input: { sessionId, query: parseTimelineQuery(new URLSearchParams({ limit: "1", agent_id: session.agent_id })) } });
      if (!("blast_radius" in timeline) || !timeline.blast_radius) continue;
      for (const read of timeline.blast_radius.credentials_read) for (const name of read.names) names.add(name);
    }
  }
  return [...names];
}
