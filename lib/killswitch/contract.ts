/**
 * The Redis kill-switch contract agents already read (ARCHITECTURE.md, "Kill switch in Redis"), in
 * one place. Values are written exactly as the reference implementation writes them: the agent hash
 * holds strings, the global key and channel messages are JSON with Python's separators.
 */
export const KEY_PREFIX = "agent:killswitch";
/** The ingest event with which an agent says it has stopped. */
export const ACK_ACTION = "killswitch_ack";
export const GLOBAL_KEY = `${KEY_PREFIX}:global`;
export const EVENTS_CHANNEL = `${KEY_PREFIX}:events`;
/**
 * The console's own channel, told after the record commits: agents' messages go out before it (a
 * kill reaches agents first), so a console refetching on those alone could read the old state.
 */
export const CONSOLE_CHANNEL = "agentsoc:killswitch:changed";
/** Counts the console's writes; see killSwitchSync in the schema. */
export const GENERATION_KEY = "agentsoc:killswitch:generation";
/**
 * The console's own marker: its absence means Redis lost its data, not that someone revived by hand.
 * It names the installation (the database) that holds it: `{"installation_id", "set_at"}`.
 */
export const MARKER_KEY = "agentsoc:killswitch:marker";
/** Each installation whose sync uses this Redis, with when it last did (epoch ms): how the marker's holder learns it is not alone. */
export const INSTALLATIONS_KEY = "agentsoc:killswitch:installations";

export function agentKey(agentId: string): string {
  return `${KEY_PREFIX}:${agentId}`;
}

/** The agent id of an `agent:killswitch:{id}` key, or null for the global key, the channel or anything else. */
export function agentIdOfKey(key: string): string | null {
  if (!key.startsWith(`${KEY_PREFIX}:`) || key === GLOBAL_KEY || key === EVENTS_CHANNEL) return null;
  const id = key.slice(KEY_PREFIX.length + 1);
  return id === "" ? null : id;
}

/** Python's repr of a float: JavaScript's shortest form, with ".0" on whole numbers. */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** A number Python holds as a float (time.time()), so it is written as one. */
export class PythonFloat {
  constructor(readonly value: number) {}
}

/** Python's str(time.time()): epoch seconds, always with a fraction ("1795000000.0"). */
export function epochSeconds(ms: number): string {
  return pythonFloat(ms / 1000);
}

/** A JSON string as Python writes it by default (ensure_ascii): every non-ASCII character as \uXXXX. */
function pythonString(value: string): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function pythonValue(value: unknown): string {
  if (typeof value === "string") return pythonString(value);
  if (value instanceof PythonFloat) return pythonFloat(value.value);
  return JSON.stringify(value);
}

/** json.dumps(...) with its defaults (", " and ": " separators, ensure_ascii), so messages match what Python agents and tools emit. */
export function pythonJson(value: Record<string, unknown>): string {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${pythonString(k)}: ${pythonValue(v)}`).join(", ")}}`;
}

export interface KillRecord {
  reason: string;
  killedBy: string;
  killedAtMs: number;
}

export function agentKillFields(kill: KillRecord): Record<string, string> {
  return { killed: "true", reason: kill.reason, killed_by: kill.killedBy, killed_at: epochSeconds(kill.killedAtMs) };
}

export function globalKillValue(kill: KillRecord): string {
  return pythonJson({ killed: true, reason: kill.reason, killed_by: kill.killedBy, killed_at: new PythonFloat(kill.killedAtMs / 1000) });
}

export type KillEvent =
  | { action: "kill"; agent_id: string; reason: string; killed_by: string; source?: "redis" }
  | { action: "revive"; agent_id: string; reason?: string; revived_by: string; source?: "redis" }
  | { action: "kill_all"; reason: string; killed_by: string; source?: "redis" }
  | { action: "lift_all"; reason?: string; lifted_by: string; source?: "redis" };

export function eventMessage(event: KillEvent): string {
  return pythonJson({ ...event });
}

/** How agents read the agent hash: killed only when the field is exactly "true". */
export function parseAgentHash(fields: Record<string, string>): (Partial<KillRecord> & { killed: boolean }) | null {
  if (Object.keys(fields).length === 0) return null;
  const at = Number(fields.killed_at);
  return {
    killed: fields.killed === "true",
    reason: fields.reason,
    killedBy: fields.killed_by,
    killedAtMs: Number.isFinite(at) && at > 0 ? Math.round(at * 1000) : undefined,
  };
}

/** How agents read the global key: killed when the JSON says so; unreadable JSON counts as killed (fail safe). */
export function parseGlobalValue(raw: string | null): (Partial<KillRecord> & { killed: boolean }) | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as { killed?: unknown; reason?: unknown; killed_by?: unknown; killed_at?: unknown };
    const at = Number(value.killed_at);
    return {
      killed: value.killed === true || value.killed === "true",
      reason: typeof value.reason === "string" ? value.reason : undefined,
      killedBy: typeof value.killed_by === "string" ? value.killed_by : undefined,
      killedAtMs: Number.isFinite(at) && at > 0 ? Math.round(at * 1000) : undefined,
    };
  } catch {
    return { killed: true, reason: "unreadable global kill switch value in Redis" };
  }
}
