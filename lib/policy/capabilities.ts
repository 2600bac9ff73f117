import { z } from "zod";
import { agentIdSchema } from "@/lib/agents/schemas";
import { rateAtCall } from "@/lib/detect/check-baseline";
import { peersOf } from "@/lib/forensics/peers";
import { unstorableReason } from "@/lib/storable-text";

const actionName = z
  .string()
  .min(1, "allowed_actions: an action must not be empty")
  .max(200)
  .superRefine((text, ctx) => {
    const why = unstorableReason(text);
    if (why) ctx.addIssue({ code: "custom", message: `allowed_actions: ${why}` });
    else if (/\p{Cc}/u.test(text)) ctx.addIssue({ code: "custom", message: "allowed_actions: contains a control character" });
  });

/** Body of POST /api/v1/capabilities: the guide's AgentCapability; `expires_at` in epoch seconds, 0 or absent for none. */
export const grantCapabilityInput = z
  .object({
    source_agent: agentIdSchema,
    target_agent: agentIdSchema,
    allowed_actions: z.array(actionName).min(1, "allowed_actions: grant at least one action").max(200),
    max_requests_per_minute: z.number().int().positive().max(1_000_000).default(10),
    expires_at: z.number().nonnegative().max(32_503_680_000).default(0),
  })
  .strict()
  .refine((g) => g.source_agent !== g.target_agent, { path: ["target_agent"], message: "target_agent: an agent needs no grant to ask itself" });

/** A grant as detection reads it. */
export interface CapabilityGrant {
  source: string;
  target: string;
  actions: string[];
  /** Epoch µs, or null for none. */
  expiresAtUs: number | null;
  /** Requests of the pair allowed in the minute ending at one; absent in a profile cached before it was read. */
  maxPerMinute?: number;
}

/** The key of a source→target pair in `requestTimes`. */
export const pairKey = (source: string, target: string) => `${source}\u0000${target}`;

export interface RequestEvent {
  tsMicros: number;
  sessionId: string;
  actionName: string;
  metadata: Record<string, unknown> | null;
}

export interface UnauthorizedRequest {
  eventIndex: number;
  sessionId: string;
  detail: string;
}

const shown = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

/** The pair an agent's event names as a request, seen from that agent: `sent` makes it the source. */
function pairOf(agentId: string, peer: { peerAgentId: string; direction: string }): [string, string] {
  return peer.direction === "sent" ? [agentId, peer.peerAgentId] : [peer.peerAgentId, agentId];
}

/**
 * The pairs whose rate a batch needs judged: each source→target pair the agent's new events name on
 * a side where the registry holds a grant for it, with the new requests' times (µs). Pure.
 */
export function requestPairs(agentId: string, grants: CapabilityGrant[], rows: RequestEvent[]): Map<string, number[]> {
  const granted = new Set(grants.filter((g) => g.source === agentId || g.target === agentId).map((g) => pairKey(g.source, g.target)));
  const pairs = new Map<string, number[]>();
  if (granted.size === 0) return pairs;
  for (const row of rows) {
    for (const peer of peersOf(agentId, row.metadata)) {
      const key = pairKey(...pairOf(agentId, peer));
      if (!granted.has(key)) continue;
      const times = pairs.get(key);
      if (times) times.push(row.tsMicros);
      else pairs.set(key, [row.tsMicros]);
    }
  }
  return pairs;
}

/**
 * Judges the agent-to-agent requests the batch's new events name (metadata `target_agent`,
 * `sender_agent`, … as forensics reads them) against the registry, as the guide's
 * check_authorization does: no grant, an expired grant, an action (`metadata.requested_action`,
 * else the event's `action_name`) outside it, or more requests of the pair in the minute ending at
 * this one than the grant's `max_requests_per_minute`. `requestTimes` holds, per pair, every stored
 * request time (µs, sorted) within a minute either side of the new ones, the new ones included, as
 * the agent's own events report them; a pair missing from it is counted on the batch alone. Only
 * agents the registry knows are judged: an agent with no grant on a side of requests is not using
 * the registry there. Pure.
 */
export function checkCapabilities(
  agentId: string,
  grants: CapabilityGrant[],
  events: { index: number; row: RequestEvent }[],
  requestTimes: Map<string, number[]> = new Map(),
  nowMicros: number = Date.now() * 1000,
): UnauthorizedRequest[] {
  const asSource = grants.filter((g) => g.source === agentId);
  const asTarget = grants.filter((g) => g.target === agentId);
  if (asSource.length === 0 && asTarget.length === 0) return [];
  const newTimes = requestPairs(
    agentId,
    grants,
    events.map((e) => e.row),
  );
  const timesOf = (key: string): number[] => {
    const stored = requestTimes.get(key);
    if (stored) return stored;
    const own = [...(newTimes.get(key) ?? [])].sort((a, b) => a - b);
    requestTimes.set(key, own);
    return own;
  };
  const found: UnauthorizedRequest[] = [];
  for (const { index, row } of events) {
    const requested = typeof row.metadata?.requested_action === "string" ? row.metadata.requested_action : row.actionName;
    for (const peer of peersOf(agentId, row.metadata)) {
      const sent = peer.direction === "sent";
      const known = sent ? asSource : asTarget;
      if (known.length === 0) continue;
      const [source, target] = pairOf(agentId, peer);
      const grant = known.find((g) => (sent ? g.target === peer.peerAgentId : g.source === peer.peerAgentId));
      const add = (why: string) =>
        found.push({ eventIndex: index, sessionId: row.sessionId, detail: `${source} asked ${target} to ${shown(requested)}: ${why}` });
      if (!grant) add("no capability grant");
      // Judged at arrival too: a request stamped back to before the expiry is still after it.
      else if (grant.expiresAtUs !== null && Math.max(row.tsMicros, nowMicros) > grant.expiresAtUs) add("the grant had expired");
      else if (!grant.actions.includes(requested)) add(`not among the granted actions (${grant.actions.map(shown).join(", ")})`);
      else if (grant.maxPerMinute !== undefined) {
        const key = pairKey(source, target);
        const fresh = new Set(newTimes.get(key) ?? []);
        const rate = rateAtCall(timesOf(key), row.tsMicros, (at) => !fresh.has(at));
        if (rate > grant.maxPerMinute) add(`${rate} requests in a minute; the grant allows ${grant.maxPerMinute}`);
      }
    }
  }
  return found;
}
