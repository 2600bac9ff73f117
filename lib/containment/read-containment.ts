import { agentKillRow, credentialRotations, grantsWithTraffic, sessionsInFlight, unexpiredToolTokens } from "@/db/queries/containment";
import { agentIdSchema } from "@/lib/agents/schemas";
import { authorize, holdsRole, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { TOOL_TOKEN_SESSION } from "@/lib/tool-tokens";
import { assembleContainment } from "./assemble-containment";
import { CONTAINMENT_LIST_MAX, type Containment, IN_FLIGHT_MINUTES, REQUEST_WINDOW_HOURS } from "./schemas";

/** Grants on either side of one agent that one answer lists. */
const GRANTS_MAX = 500;

/**
 * The containment dry-run (viewer+): the agent's sessions in flight, the tool tokens it holds, the
 * agents that depend on it through capability grants and those it depends on, with their recent
 * requests, and its credential rotations (analyst+, as the inventory is). Five indexed reads, run
 * side by side; nothing is written.
 */
export async function readContainment({ ctx, input }: { ctx: Ctx; input: { agentId: string } }): Promise<Containment> {
  authorize(ctx, "viewer", "see what a kill would stop");
  const now = new Date();
  const agentId = parseOrThrow(agentIdSchema, input.agentId, "agentId");
  const [kill, sessions, tokens, grants, rotations] = await Promise.all([
    agentKillRow(ctx.db, agentId),
    // Token issues asked outside a session are recorded under a session of their own: not work to stop.
    sessionsInFlight(ctx.db, agentId, new Date(now.getTime() - IN_FLIGHT_MINUTES * 60_000), CONTAINMENT_LIST_MAX, [TOOL_TOKEN_SESSION]),
    unexpiredToolTokens(ctx.db, agentId, now, CONTAINMENT_LIST_MAX),
    grantsWithTraffic(ctx.db, agentId, new Date(now.getTime() - REQUEST_WINDOW_HOURS * 3_600_000), GRANTS_MAX),
    holdsRole(ctx, "analyst") ? credentialRotations(ctx.db, agentId) : Promise.resolve(null),
  ]);
  if (!kill.exists) throw new AppError("NOT_FOUND", `Agent ${agentId} is not registered`);
  return assembleContainment({ agentId, now, kill, sessions, tokens, grants, rotations });
}
