import { getSessionSummaries } from "@/db/queries/sessions";
import { parseTimelineQuery } from "@/db/queries/timeline";
import type { incidents } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { getSessionTimeline } from "@/lib/forensics/session-timeline";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The inventory ids that the blast radius of an incident's sessions says its agents read (metadata
 * secret_id, secret_name, credential_id or credential_name from the injection point on, when it is
 * a credential id): an incident's rotation covers those too, whichever agent holds them. Names are
 * not matched: they come from the compromised agent's own logs and repeat across agents (every
 * agent has an "ingest key"), so one forged event could otherwise revoke the whole fleet's keys.
 */
export async function credentialIdsNamedByIncident(ctx: Ctx, incident: Pick<typeof incidents.$inferSelect, "agentIds" | "sessionIds">): Promise<string[]> {
  const ids = new Set<string>();
  for (const sessionId of incident.sessionIds) {
    for (const session of await getSessionSummaries(ctx.db, sessionId)) {
      if (!incident.agentIds.includes(session.agent_id)) continue;
      const timeline = await getSessionTimeline({
        ctx,
        input: { sessionId, query: parseTimelineQuery(new URLSearchParams({ limit: "1", agent_id: session.agent_id })) },
      });
      if (!("blast_radius" in timeline) || !timeline.blast_radius) continue;
      for (const read of timeline.blast_radius.credentials_read) for (const name of read.names) if (UUID.test(name)) ids.add(name.toLowerCase());
    }
  }
  return [...ids];
}
