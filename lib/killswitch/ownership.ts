import type Redis from "ioredis";
import type { Db } from "@/db/client";
import { readInstallationId } from "@/db/queries/installation";
import { INSTALLATIONS_KEY, MARKER_KEY } from "./contract";
import { readString, type StringRead } from "./read-redis";
import { recordableText } from "./schemas";

/** Another installation's sync (it runs every second) seen within this counts as using this Redis now. */
export const PRESENCE_MS = 60_000;

const installationIds = new WeakMap<Db, Promise<string>>();

/** This database's installation id; it never changes, so it is read once per pool. */
export function installationIdOf(db: Db): Promise<string> {
  const known = installationIds.get(db);
  if (known) return known;
  const id = readInstallationId(db);
  installationIds.set(db, id);
  id.catch(() => installationIds.delete(db));
  return id;
}

export type MarkerState =
  | { kind: "absent" }
  | { kind: "ours" }
  /** Written before markers named their installation: taken over by the first sync that sees it. */
  | { kind: "unnamed"; raw: string }
  /** Another installation's, or a value no console writes (installationId null). */
  | { kind: "foreign"; installationId: string | null; setAt: string | null };

export function markerValue(installationId: string, nowMs: number): string {
  return JSON.stringify({ installation_id: installationId, set_at: new Date(nowMs).toISOString() });
}

/** Written by hand or by another program, so shown only after it is made safe to print. */
const shown = (value: unknown): string | null => (typeof value === "string" ? recordableText(value, 100) : null);

export function parseMarker(read: StringRead, ownInstallationId: string): MarkerState {
  if (read.type === "none") return { kind: "absent" };
  if (read.type === "string" && read.value !== null) {
    try {
      const value: unknown = JSON.parse(read.value);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        const { installation_id: id, set_at: setAt } = value as Record<string, unknown>;
        if (id === ownInstallationId) return { kind: "ours" };
        if (typeof id === "string") return { kind: "foreign", installationId: shown(id), setAt: shown(setAt) };
        if (id === undefined && typeof setAt === "string") return { kind: "unnamed", raw: read.value };
      }
    } catch {
      // not JSON: no console wrote it
    }
  }
  return { kind: "foreign", installationId: null, setAt: null };
}

export interface RedisSharing {
  installationId: string;
  marker: MarkerState;
  /** Other installations whose sync used this Redis within PRESENCE_MS. */
  others: { installationId: string; seenAt: string }[];
}

export function isShared(sharing: RedisSharing): boolean {
  return sharing.marker.kind === "foreign" || sharing.others.length > 0;
}

/** Who else uses this Redis, as its marker and the installations' sign-ins say (timed by Redis's clock, so the machines' clocks do not matter). */
export async function readRedisSharing(db: Db, redis: Redis): Promise<RedisSharing> {
  const [installationId, marker, seen, [nowSeconds]] = await Promise.all([
    installationIdOf(db),
    readString(redis, MARKER_KEY),
    redis.hgetall(INSTALLATIONS_KEY).catch(() => ({}) as Record<string, string>),
    redis.time(),
  ]);
  const others = Object.entries(seen).flatMap(([id, at]) => {
    const seconds = Number(at);
    const recent = Number.isInteger(seconds) && Math.abs(Number(nowSeconds) - seconds) * 1000 < PRESENCE_MS;
    return id !== installationId && recent ? [{ installationId: shown(id) ?? "", seenAt: new Date(seconds * 1000).toISOString() }] : [];
  });
  return { installationId, marker: parseMarker(marker, installationId), others };
}

// The key is the console's own: anything else found there (written by hand) is replaced rather than stall the sync.
const SIGN_IN = `
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'hash' and t ~= 'none' then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], ARGV[1], redis.call('TIME')[1])
return 1`;

/** Says this installation's sync uses this Redis now, so the marker's holder learns it is not alone. */
export async function signInToRedis(redis: Redis, installationId: string): Promise<void> {
  await redis.eval(SIGN_IN, 1, INSTALLATIONS_KEY, installationId);
}

const CLAIM_UNNAMED = `
if redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** Takes over a marker written before markers named their installation, unless it changed since it was read. */
export async function claimUnnamedMarker(redis: Redis, seen: string, value: string): Promise<boolean> {
  return (await redis.eval(CLAIM_UNNAMED, 1, MARKER_KEY, seen, value)) === 1;
}

/** The warning shown on every console page, in GET /api/v1/killswitch and in the server log; null when Redis is this installation's alone. */
export function sharingProblem(sharing: RedisSharing): string | null {
  if (!isShared(sharing)) return null;
  const { marker, others } = sharing;
  const who =
    marker.kind === "foreign"
      ? marker.installationId
        ? `its kill-switch marker (${MARKER_KEY}) names another AgentSOC installation, ${marker.installationId}${marker.setAt ? ` (set ${marker.setAt})` : ""}`
        : `its kill-switch marker (${MARKER_KEY}) was not written by this console and cannot be read as any console's`
      : `another AgentSOC installation (${others.map((o) => o.installationId).join(", ")}) synced with it within the last minute`;
  const fix =
    marker.kind === "foreign"
      ? ` Give each console its own Redis or logical database (REDIS_URL=redis://host:6379/N). If that installation is gone for good (for example this console's database was reset), delete its marker (redis-cli DEL ${MARKER_KEY}) and this console takes Redis over, recording the kills it finds there.`
      : " Give each console its own Redis or logical database (REDIS_URL=redis://host:6379/N); the warning clears a minute after the other console stops using this one.";
  return (
    `Redis is shared with another console: ${who}; this console is installation ${sharing.installationId}. ` +
    "Both write the same agent keys, so this console records none of the changes it finds in Redis (they may be the other console's) and only puts back its own kills." +
    fix
  );
}

export interface RedisSharingView {
  shared: boolean;
  installation_id: string;
  marker: MarkerState["kind"];
  marker_installation_id: string | null;
  other_installations: { installation_id: string; seen_at: string }[];
  problem: string | null;
}

export function redisSharingView(sharing: RedisSharing): RedisSharingView {
  return {
    shared: isShared(sharing),
    installation_id: sharing.installationId,
    marker: sharing.marker.kind,
    marker_installation_id: sharing.marker.kind === "foreign" ? sharing.marker.installationId : sharing.marker.kind === "ours" ? sharing.installationId : null,
    other_installations: sharing.others.map((o) => ({ installation_id: o.installationId, seen_at: o.seenAt })),
    problem: sharingProblem(sharing),
  };
}

/** For GET /api/v1/killswitch and the console's banner: null when Redis is not configured or cannot be asked. */
export async function redisSharingStatus(db: Db, redis: Redis | null): Promise<RedisSharingView | null> {
  if (!redis) return null;
  try {
    return redisSharingView(await readRedisSharing(db, redis));
  } catch {
    return null;
  }
}
