import { KEY_PREFIX } from "@/lib/killswitch/contract";

/** What the console does for a step: an action of its own, a command a person runs, or a check-off. */
export type StepAction =
  | { kind: "automated"; action: "kill_agent"; reasonTemplate: string }
  | { kind: "automated"; action: "snapshot" }
  | { kind: "automated"; action: "trace_communications"; sinceTemplate: string }
  | { kind: "automated"; action: "build_timeline" }
  | { kind: "automated"; action: "rotate_credentials" }
  | { kind: "command"; command: string }
  | { kind: "manual" };

export type AutomatedAction = Extract<StepAction, { kind: "automated" }>;
export type AutomatedActionName = AutomatedAction["action"];

export const DEFAULT_KILL_REASON = "Security incident {incident_id}";
export const DEFAULT_SINCE = "{incident_start}";

/**
 * Splits a command the way a POSIX shell would, or returns null when the shell would do more than run
 * one program with literal arguments (pipes, redirections, `;`, `$` expansion, globs, comments,
 * several lines): a step like that is not one thing the console can do on its own.
 */
function splitCommand(command: string): string[] | null {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command.charAt(i);
    if (c === " " || c === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) return null;
      word += command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let end = i + 1;
      for (; end < command.length && command.charAt(end) !== '"'; end++) {
        const d = command.charAt(end);
        if (d === "$" || d === "`") return null;
        if (d === "\\" && /["\\$`]/.test(command.charAt(end + 1))) end++;
        word += command.charAt(end);
      }
      if (end >= command.length) return null;
      i = end;
    } else if (c === "\\") {
      if (i + 1 >= command.length || command.charAt(i + 1) === "\n") return null;
      word += command.charAt(++i);
    } else if (/[;&|<>()$`*?[\]~!\n\r]/.test(c) || (c === "#" && word === "")) {
      return null;
    } else {
      word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** `python -m tool args…`, `python3 -m …`, `/usr/bin/python3.12 -m …` or the tool's own script. */
function programOf(words: string[]): { program: string; args: string[] } | null {
  const [first, second, third] = words;
  if (first === undefined) return null;
  if (/^(?:\S*\/)?python(?:3(?:\.\d+)?)?$/.test(first)) {
    if (second !== "-m" || third === undefined) return null;
    return { program: third, args: words.slice(3) };
  }
  return { program: first, args: words.slice(1) };
}

/**
 * `--name value` and `--name=value` pairs in any order, each a known flag at most once; null on a
 * positional argument, an unknown flag or a repeated one, since the console could not honour it.
 */
function parseFlags(args: string[], known: readonly string[]): Map<string, string> | null {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!match) return null;
    const name = match[1] ?? "";
    let value = match[2];
    if (value === undefined) {
      value = args[i + 1];
      if (value === undefined || value.startsWith("--")) return null;
      i++;
    }
    if (!known.includes(name) || flags.has(name)) return null;
    flags.set(name, value);
  }
  return flags;
}

// An id flag names the incident's own agent, session or incident; a literal id is someone else's.
// Maps, not objects, here and below: a name such as "constructor" must not find Object's own properties.
const ID_FLAGS = new Map([
  ["agent-id", "{agent_id}"],
  ["session-id", "{session_id}"],
  ["incident-id", "{incident_id}"],
]);

function idsAreTheIncidents(flags: Map<string, string>): boolean {
  return [...flags].every(([name, value]) => !ID_FLAGS.has(name) || ID_FLAGS.get(name) === value);
}

const SUBCOMMANDS = new Map<string, { flags: readonly string[]; action: (flags: Map<string, string>) => AutomatedAction }>(
  Object.entries({
    "agent_forensics snapshot": {
      flags: ["agent-id", "session-id", "incident-id", "output"],
      action: () => ({ kind: "automated", action: "snapshot" }),
    },
    "agent_forensics trace-communications": {
      flags: ["agent-id", "incident-id", "since", "output"],
      action: (flags) => ({ kind: "automated", action: "trace_communications", sinceTemplate: flags.get("since") || DEFAULT_SINCE }),
    },
    "agent_forensics timeline": {
      flags: ["agent-id", "session-id", "incident-id", "since", "output"],
      action: () => ({ kind: "automated", action: "build_timeline" }),
    },
    "agent_forensics build-timeline": {
      flags: ["agent-id", "session-id", "incident-id", "since", "output"],
      action: () => ({ kind: "automated", action: "build_timeline" }),
    },
    "agent_security rotate-credentials": {
      flags: ["agent-id", "incident-id"],
      action: () => ({ kind: "automated", action: "rotate_credentials" }),
    },
  }),
);

const TOOLS = new Map<string, AutomatedAction>([["agent_forensics.build_timeline", { kind: "automated", action: "build_timeline" }]]);

function classifyForensics(words: string[]): AutomatedAction | null {
  const parts = programOf(words);
  const [subcommand, ...args] = parts?.args ?? [];
  if (!parts || subcommand === undefined) return null;
  const entry = SUBCOMMANDS.get(`${parts.program} ${subcommand.replaceAll("_", "-")}`);
  if (!entry) return null;
  const flags = parseFlags(args, entry.flags);
  return flags && idsAreTheIncidents(flags) ? entry.action(flags) : null;
}

// Connection options only: -n would pick another database, so a command with it is not the console's kill.
const REDIS_OPTIONS_WITH_VALUE = new Set(["-h", "-p", "-a", "--user", "--pass"]);
const REDIS_FLAGS = new Set(["--tls", "--no-auth-warning"]);
// The console writes killed_by and killed_at itself, so a runbook that sets them still asks for a kill.
const KILL_FIELDS = new Set(["killed", "reason", "killed_by", "killed_at"]);

/** `redis-cli HSET agent:killswitch:{agent_id} killed true [reason '…']`: the guide's kill switch, for the incident's agent. */
function classifyKill(words: string[]): AutomatedAction | null {
  if (words[0] !== "redis-cli") return null;
  let i = 1;
  for (; i < words.length; i++) {
    const word = words[i] ?? "";
    if (REDIS_OPTIONS_WITH_VALUE.has(word)) i++;
    else if (!REDIS_FLAGS.has(word)) break;
  }
  const [verb, key, ...pairs] = words.slice(i);
  if (!verb || !["HSET", "HMSET"].includes(verb.toUpperCase())) return null;
  if (key !== `${KEY_PREFIX}:{agent_id}`) return null;
  if (pairs.length === 0 || pairs.length % 2 !== 0) return null;
  const fields = new Map<string, string>();
  for (let j = 0; j < pairs.length; j += 2) {
    const field = pairs[j] ?? "";
    if (!KILL_FIELDS.has(field) || fields.has(field)) return null;
    fields.set(field, pairs[j + 1] ?? "");
  }
  // Agents treat the agent as killed only when the field is exactly "true".
  if (fields.get("killed") !== "true") return null;
  return { kind: "automated", action: "kill_agent", reasonTemplate: fields.get("reason")?.trim() || DEFAULT_KILL_REASON };
}

/**
 * Whether the console can carry out a step itself. The command decides when there is one (it is the
 * exact instruction); otherwise the tool. Anything unrecognised is shown verbatim for a person to run.
 */
export function classifyStep(step: { command?: string | null; tool?: string | null }): StepAction {
  const command = step.command?.trim() || null;
  const tool = step.tool?.trim() || null;
  if (command) {
    const words = splitCommand(command);
    const automated = words && (classifyKill(words) ?? classifyForensics(words));
    return automated ?? { kind: "command", command };
  }
  if (tool) return TOOLS.get(tool) ?? { kind: "command", command: tool };
  return { kind: "manual" };
}
