import { z } from "zod";
import { getAgent } from "@/db/queries/agents";
import { listCommunications, type PeerCommunication } from "@/db/queries/communications";
import { timeParam } from "@/db/queries/events";
import { authorize, parseQuery } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";

const DAY_MS = 86_400_000;

export const communicationsQuery = z.strictObject({
  since: timeParam.optional().transform((since) => since ?? new Date(Date.now() - 7 * DAY_MS)),
});

/**
 * The other agents an agent exchanged messages with since a time (default: 7 days), with both
 * sides' counts (analyst+). The rollup is hourly: `since` counts from the start of its hour.
 */
export async function getCommunications({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { agentId: string; params: URLSearchParams };
}): Promise<{ agent_id: string; since: string; peers: PeerCommunication[] }> {
  authorize(ctx, "analyst", "read an agent's communications");
  const { since } = parseQuery(communicationsQuery, input.params);
  if (!(await getAgent(ctx.db, input.agentId))) throw new AppError("NOT_FOUND", `Agent ${input.agentId} is not registered`);
  return { agent_id: input.agentId, since: since.toISOString(), peers: await listCommunications(ctx.db, input.agentId, since) };
}
