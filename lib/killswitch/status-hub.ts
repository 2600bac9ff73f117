import type Redis from "ioredis";
import type { Db } from "@/db/client";
import { findAgentByKeyHash } from "@/db/queries/ingest-keys";
import { AppError } from "@/lib/errors";
import { keySpeaksFor } from "@/lib/ingest/ingest-keys";
import { streamSlots } from "@/lib/stream-slots";
import { type AgentStatus, agentStatus } from "./agent-status";
import { EVENTS_CHANNEL } from "./contract";
import { subscribeKillEvents } from "./event-bus";

/** Status streams one ingest key may hold open at once (in each console process). */
export const STREAMS_PER_KEY = 5;
/** Streams are told the status again this often, whatever happens: a change made without a message (redis-cli) reaches them too. */
const POLL_MS = 10_000;

export const STATUS_UNAVAILABLE = {
  alive: false,
  reason: "status unavailable: neither Redis nor the record could be read; stop to be safe",
  source: "none",
} as const;

export type StreamStatus = AgentStatus | typeof STATUS_UNAVAILABLE;

export interface StatusWatcher {
  keyId: string;
  keyHash: string;
  onStatus: (status: StreamStatus) => void;
  /** The watcher's key was revoked: its stream ends. */
  onRevoked: () => void;
}

interface AgentEntry {
  db: Db;
  redis: Redis | null;
  watchers: Set<StatusWatcher>;
  /** The computation under way, which a new watcher shares instead of starting its own. */
  running: Promise<StreamStatus> | null;
  /** A change arrived while computing: compute once more when done, so it is not missed. */
  again: boolean;
  poll: ReturnType<typeof setInterval>;
}

/**
 * The agent door's live status, shared in this process: each change is computed once per agent (and
 * each key checked once), then told to every stream of that agent, however many are open.
 */
const agents = new Map<string, AgentEntry>();
let unsubscribe: (() => void) | null = null;

/** How much work the streams caused, for tests and for anyone measuring the door. */
export const statusHubCounters = { statusComputations: 0, keyChecks: 0 };

const keySlots = streamSlots(
  STREAMS_PER_KEY,
  (open) =>
    new AppError("RATE_LIMITED", `This ingest key already holds ${open} status streams, the limit of ${STREAMS_PER_KEY} per key; close one first`, {
      headers: { "Retry-After": "10" },
      details: { streams_per_key: STREAMS_PER_KEY },
    }),
);

/** Takes one of the key's stream slots, or refuses with 429; the returned release is safe to call twice. */
export function takeStreamSlot(keyId: string): () => void {
  return keySlots.take(keyId);
}

async function computeStatus(entry: AgentEntry, agentId: string): Promise<StreamStatus> {
  statusHubCounters.statusComputations++;
  try {
    return await agentStatus(entry.db, entry.redis, agentId);
  } catch {
    return STATUS_UNAVAILABLE;
  }
}

/** The keys among the watchers that were revoked; a key that cannot be checked now is taken as still valid. */
async function revokedKeys(entry: AgentEntry, agentId: string): Promise<Set<string>> {
  const hashes = [...new Set([...entry.watchers].map((w) => w.keyHash))];
  const revoked = new Set<string>();
  await Promise.all(
    hashes.map(async (hash) => {
      statusHubCounters.keyChecks++;
      const stillSpeaks = await findAgentByKeyHash(entry.db, hash).then(
        (identity) => identity !== null && keySpeaksFor(identity, agentId),
        () => true,
      );
      if (!stillSpeaks) revoked.add(hash);
    }),
  );
  return revoked;
}

/** Computes the agent's status once and tells every stream; a change during the computation causes one more. */
async function refresh(agentId: string): Promise<void> {
  const entry = agents.get(agentId);
  if (!entry) return;
  if (entry.running) {
    entry.again = true;
    return;
  }
  do {
    entry.again = false;
    const running = computeStatus(entry, agentId);
    entry.running = running;
    const [status, revoked] = await Promise.all([running, revokedKeys(entry, agentId)]).finally(() => {
      entry.running = null;
    });
    for (const watcher of [...entry.watchers]) {
      if (revoked.has(watcher.keyHash)) watcher.onRevoked();
      else watcher.onStatus(status);
    }
  } while (entry.again && agents.get(agentId) === entry);
}

/** Which agents a message on the agents' channel concerns: the one it names, or all (kill_all, lift_all, anything unreadable). */
function affectedAgents(message: string): string[] {
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed === "object" && parsed !== null && "agent_id" in parsed && typeof parsed.agent_id === "string") {
      return agents.has(parsed.agent_id) ? [parsed.agent_id] : [];
    }
  } catch {
    // someone published by hand: tell everyone
  }
  return [...agents.keys()];
}

/**
 * Streams `agentId`'s status to one watcher: now, on every change agents are told of (the agents'
 * channel; the console's own messages repeat those), and every POLL_MS. Returns the clean-up.
 */
export async function watchAgentStatus(db: Db, redis: Redis | null, agentId: string, watcher: StatusWatcher): Promise<() => void> {
  let entry = agents.get(agentId);
  if (!entry) {
    entry = { db, redis, watchers: new Set(), running: null, again: false, poll: setInterval(() => void refresh(agentId), POLL_MS) };
    entry.poll.unref();
    agents.set(agentId, entry);
  }
  unsubscribe ??= subscribeKillEvents(redis, (message, channel) => {
    if (channel !== EVENTS_CHANNEL) return;
    for (const id of affectedAgents(message)) void refresh(id);
  });
  const current = entry;
  current.watchers.add(watcher);
  const stop = () => {
    current.watchers.delete(watcher);
    if (current.watchers.size > 0 || agents.get(agentId) !== current) return;
    clearInterval(current.poll);
    agents.delete(agentId);
    if (agents.size === 0) {
      unsubscribe?.();
      unsubscribe = null;
    }
  };
  watcher.onStatus(await (current.running ?? computeStatus(current, agentId)));
  return stop;
}
