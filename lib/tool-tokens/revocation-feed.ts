import type { Db } from "@/db/client";
import { unexpiredRevocations } from "@/db/queries/tool-tokens";
import { AppError } from "@/lib/errors";
import { streamSlots } from "@/lib/stream-slots";

export interface Revocation {
  jti: string;
  exp: number;
}

/** Streams one address may hold open (in each console process): the feed is public, like the JWKS. */
export const REVOCATION_STREAMS_PER_ADDRESS = 20;
/** Followers are told what a missed message would have carried at least this often. */
const POLL_MS = 5000;
/** Revocations committed out of order are still found: each pass looks back this far, and `sent` drops repeats. */
const LOOK_BACK_MS = 30_000;

const addressSlots = streamSlots(
  REVOCATION_STREAMS_PER_ADDRESS,
  (open) =>
    new AppError("RATE_LIMITED", `This address already follows the revocation list with ${open} streams, the limit of ${REVOCATION_STREAMS_PER_ADDRESS}`, {
      headers: { "Retry-After": "10" },
    }),
);

/** Streams of every address together, in one process: a crowd of addresses cannot hold its connections either. */
export const REVOCATION_STREAMS_PER_PROCESS = 1000;
const processSlots = streamSlots(
  REVOCATION_STREAMS_PER_PROCESS,
  (open) =>
    new AppError("RATE_LIMITED", `This console already serves ${open} revocation streams, its limit; retry later`, { headers: { "Retry-After": "30" } }),
);

export function takeRevocationStreamSlot(address: string | null): () => void {
  const releaseAddress = addressSlots.take(address ?? "unknown");
  try {
    const releaseProcess = processSlots.take("all");
    return () => {
      releaseProcess();
      releaseAddress();
    };
  } catch (err) {
    releaseAddress();
    throw err;
  }
}

/**
 * One feed per process, shared by every follower: a kill-switch change (or the poll) reads the
 * revocations since the last pass once, and tells each follower only the tokens it has not been told.
 */
const followers = new Set<(revoked: Revocation[]) => void>();
const sent = new Map<string, number>();
let feed: { db: Db; unsubscribe: () => void; poll: ReturnType<typeof setInterval> } | null = null;
let lastPassStartedMs = 0;
let running: Promise<void> | null = null;
let again = false;

async function pass(): Promise<void> {
  if (!feed) return;
  const startedMs = Date.now();
  const since = lastPassStartedMs === 0 ? undefined : new Date(lastPassStartedMs - LOOK_BACK_MS);
  const found = await unexpiredRevocations(feed.db, since);
  lastPassStartedMs = startedMs;
  const nowSeconds = startedMs / 1000;
  for (const [jti, exp] of sent) if (exp < nowSeconds) sent.delete(jti);
  const fresh = found.filter((r) => !sent.has(r.jti));
  for (const r of fresh) sent.set(r.jti, r.exp);
  if (fresh.length > 0) for (const follower of [...followers]) follower(fresh);
}

/** Runs a pass; a change during one causes exactly one more, so none is missed and none piles up. */
function refresh(): void {
  if (running) {
    again = true;
    return;
  }
  running = (async () => {
    do {
      again = false;
      await pass().catch(() => undefined);
    } while (again && feed);
  })().finally(() => {
    running = null;
  });
}

/**
 * Follows revocations: `onRevoked` hears each token revoked from now on. `subscribeChanges` is the
 * kill switch's change feed (every kill revokes); the returned function stops following.
 */
export async function followRevocations(
  db: Db,
  subscribeChanges: (onChange: () => void) => () => void,
  onRevoked: (revoked: Revocation[]) => void,
): Promise<() => void> {
  if (!feed) {
    const poll = setInterval(refresh, POLL_MS);
    poll.unref();
    feed = { db, unsubscribe: subscribeChanges(refresh), poll };
    // The first pass marks what already stands as told, so followers hear only what follows.
    lastPassStartedMs = 0;
    const startedMs = Date.now();
    for (const r of await unexpiredRevocations(db)) sent.set(r.jti, r.exp);
    lastPassStartedMs = startedMs;
  }
  followers.add(onRevoked);
  return () => {
    followers.delete(onRevoked);
    if (followers.size > 0 || !feed) return;
    clearInterval(feed.poll);
    feed.unsubscribe();
    feed = null;
    sent.clear();
  };
}
