import type Redis from "ioredis";
import { agentKey, GLOBAL_KEY, type KillRecord, parseAgentHash, parseGlobalValue } from "./contract";

/**
 * The most of one value the console reads from a kill-switch key. Anyone with redis-cli can write
 * half a gigabyte into a reason; the cut is made inside Redis, so such a value is never fetched.
 */
export const MAX_READ_BYTES = 64 * 1024;

const READ_STRING = `
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'string' then return {t} end
local n = redis.call('STRLEN', KEYS[1])
if n > tonumber(ARGV[1]) then return {t, false, n} end
return {t, redis.call('GET', KEYS[1]), n}`;

const READ_HASH_FIELDS = `
local t = redis.call('TYPE', KEYS[1]).ok
local out = {t}
if t ~= 'hash' then return out end
local max = tonumber(ARGV[1])
for i = 2, #ARGV do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if v and #v > max then v = string.sub(v, 1, max) end
  out[i] = v or false
end
return out`;

const AGENT_FIELDS = ["killed", "reason", "killed_by", "killed_at"] as const;

export type KillState = (Partial<KillRecord> & { killed: boolean }) | null;

/** A string key whatever it holds: its type ("none" when absent), and its value unless it is too big or not a string. */
export interface StringRead {
  type: string;
  value: string | null;
  bytes: number;
}

function stringRead(reply: unknown): StringRead {
  const [type, value, bytes] = Array.isArray(reply) ? reply : [];
  return { type: typeof type === "string" ? type : "none", value: typeof value === "string" ? value : null, bytes: Number(bytes ?? 0) };
}

export async function readString(redis: Redis, key: string): Promise<StringRead> {
  return stringRead(await redis.eval(READ_STRING, 1, key, MAX_READ_BYTES));
}

/** The global kill as agents would take it; a key they cannot parse counts as a kill (fail safe). */
export function globalKillOf(read: StringRead): KillState {
  if (read.type === "none") return null;
  if (read.type !== "string") return { killed: true, reason: `unreadable global kill switch key (a ${read.type}, not a string)` };
  if (read.value === null) return { killed: true, reason: `global kill switch value in Redis too large to read (${read.bytes} bytes)` };
  return parseGlobalValue(read.value);
}

export async function readGlobalKill(redis: Redis): Promise<KillState> {
  return globalKillOf(await readString(redis, GLOBAL_KEY));
}

function agentKillOf(key: string, reply: unknown): KillState {
  const [type, ...values] = Array.isArray(reply) ? reply : [];
  if (type === "none" || type === undefined) return null;
  // Not a hash (a mistyped SET by hand): agents reading it fail too, so it counts as a kill.
  if (type !== "hash") return { killed: true, reason: `unreadable kill switch key ${key} (a ${String(type)}, not a hash)` };
  const fields: Record<string, string> = {};
  AGENT_FIELDS.forEach((name, i) => {
    const value: unknown = values[i];
    if (typeof value === "string") fields[name] = value;
  });
  return parseAgentHash(fields) ?? { killed: false };
}

/** One agent's kill as agents read it, each field cut to MAX_READ_BYTES. */
export async function readAgentKill(redis: Redis, agentId: string): Promise<KillState> {
  const key = agentKey(agentId);
  return agentKillOf(key, await redis.eval(READ_HASH_FIELDS, 1, key, MAX_READ_BYTES, ...AGENT_FIELDS));
}

/** The same for many agents in one round trip; `unread` names those whose read failed, who are in neither state. */
export async function readAgentKills(redis: Redis, agentIds: string[]): Promise<{ states: Map<string, KillState>; unread: string[] }> {
  const pipeline = redis.pipeline();
  for (const id of agentIds) pipeline.eval(READ_HASH_FIELDS, 1, agentKey(id), MAX_READ_BYTES, ...AGENT_FIELDS);
  const replies = agentIds.length > 0 ? ((await pipeline.exec()) ?? []) : [];
  const states = new Map<string, KillState>();
  const unread: string[] = [];
  agentIds.forEach((id, i) => {
    const [err, reply] = replies[i] ?? [new Error("no reply"), null];
    if (err) unread.push(id);
    else states.set(id, agentKillOf(agentKey(id), reply));
  });
  return { states, unread };
}
