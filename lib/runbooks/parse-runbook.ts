import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, type Pair, parseDocument } from "yaml";
import { SEVERITIES, type Severity } from "@/lib/detect/types";
import { AppError } from "@/lib/errors";
import { unstorableReason } from "@/lib/storable-text";
import { MAX_TIMEOUT_SECONDS, parseDuration } from "./duration";
import { describePlaceholders, isPlaceholder, placeholdersIn, shellContextProblems } from "./fill-placeholders";
import { classifyStep, type StepAction } from "./step-action";

export const RUNBOOK_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const MAX_RUNBOOK_BYTES = 64 * 1024;
export const MAX_RUNBOOK_STEPS = 100;
export const MAX_STEP_TITLE_CHARS = 200;
const MAX_TEXT_CHARS = 2000;
const MAX_ROLE_CHARS = 100;
// A valid runbook is five levels deep (name, phase, list, step, text); the check stops well before a stack could.
const MAX_DEPTH = 12;

/** The guide's phases, in the guide's order; other phases follow them in file order. */
export const KNOWN_PHASES = [
  { key: "immediate_actions", title: "Immediate actions" },
  { key: "investigation_steps", title: "Investigation" },
  { key: "remediation_steps", title: "Remediation" },
  { key: "post_incident", title: "Post-incident" },
] as const;

export const STEP_KEYS = ["step", "command", "tool", "description", "timeout"] as const;
type StepKey = (typeof STEP_KEYS)[number];

export interface RunbookStep {
  /** `${phase}.${index + 1}`, e.g. `immediate_actions.1`: stable across versions that keep the step's place. */
  id: string;
  phase: string;
  index: number;
  title: string;
  command: string | null;
  tool: string | null;
  description: string | null;
  timeoutSeconds: number | null;
  timeoutText: string | null;
  action: StepAction;
}

export interface RunbookPhase {
  key: string;
  title: string;
  steps: RunbookStep[];
}

export interface RunbookDefinition {
  name: string;
  severity: Severity;
  escalationPath: string[];
  phases: RunbookPhase[];
}

/** One problem in a runbook's YAML: 1-based line and column, and the field's path below the runbook's name. */
export interface RunbookError {
  line: number;
  column: number;
  path: string;
  message: string;
}

const DURATION_HINT = 'expected a duration such as "30 seconds" or "2 minutes"';
const NAME_RULE = "lowercase letters, digits and underscores, starting with a letter, at most 64 characters";
const RESERVED_KEYS = ["severity", "escalation_path", ...KNOWN_PHASES.map((p) => p.key)];

export function formatRunbookError(error: RunbookError): string {
  return `line ${error.line}${error.path ? `, ${error.path}` : ""}: ${error.message}`;
}

/**
 * Reads a runbook written as the guide writes them (one top-level key, its name, holding severity,
 * escalation_path and phases of steps). Every problem found is reported at once, each with the line
 * and column of the offending key or value, as one VALIDATION error whose message starts with the first.
 */
export function parseRunbook(yamlText: string): RunbookDefinition {
  const reader = new RunbookReader(yamlText);
  const runbook = reader.read();
  const errors = reader.errors.sort((a, b) => a.line - b.line || a.column - b.column);
  const [first] = errors;
  if (first || !runbook) {
    const head = first ? formatRunbookError(first) : "line 1: not a runbook";
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? "s" : ""})` : "";
    throw new AppError("VALIDATION", `${head}${more}`, { details: { errors } });
  }
  return runbook;
}

function startOf(node: unknown): number | null {
  return isNode(node) && node.range ? node.range[0] : null;
}

/** A key with nothing after its colon: yaml gives it a null scalar of zero length, or no node at all. */
function isEmpty(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null && (!node.range || node.range[0] === node.range[1]));
}

function textOf(node: unknown): string | null {
  return isScalar(node) && typeof node.value === "string" ? node.value : null;
}

function describe(node: unknown): string {
  if (isEmpty(node)) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const value = node.value;
    if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    if (typeof value === "number" || typeof value === "bigint") return `the number ${value}`;
    if (typeof value === "boolean") return `the boolean ${value}`;
    if (value === null) return "null";
  }
  return "something else";
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** A listed key the given one is probably a typo or a shortening of. */
function nearest(key: string, candidates: readonly string[]): string | null {
  if (candidates.includes(key)) return null;
  const lower = key.toLowerCase();
  for (const candidate of candidates) {
    if (lower === candidate || distance(lower, candidate) <= (candidate.length <= 5 ? 1 : 2)) return candidate;
    if (candidate.startsWith(`${lower}_`) || lower.startsWith(`${candidate}_`)) return candidate;
  }
  return null;
}

function phaseTitle(key: string): string {
  const known = KNOWN_PHASES.find((p) => p.key === key);
  if (known) return known.title;
  const words = key.split("_").filter(Boolean).join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

class RunbookReader {
  readonly errors: RunbookError[] = [];
  private readonly lines = new LineCounter();
  private stepCount = 0;

  constructor(private readonly text: string) {}

  private add(offset: number, path: string, message: string): void {
    const { line, col } = this.lines.linePos(offset);
    this.errors.push({ line: Math.max(line, 1), column: Math.max(col, 1), path, message });
  }

  private keyOffset(pair: Pair<unknown, unknown>, fallback: number): number {
    return startOf(pair.key) ?? fallback;
  }

  /** Where a value starts, or its key when the value is missing (yaml places an empty value after the colon). */
  private valueOffset(pair: Pair<unknown, unknown>, fallback: number): number {
    return isEmpty(pair.value) ? this.keyOffset(pair, fallback) : (startOf(pair.value) ?? this.keyOffset(pair, fallback));
  }

  read(): RunbookDefinition | null {
    // Characters never outnumber UTF-8 bytes, so the length alone rejects most oversized input unencoded.
    const bytes = this.text.length > MAX_RUNBOOK_BYTES ? this.text.length : new TextEncoder().encode(this.text).length;
    if (bytes > MAX_RUNBOOK_BYTES) {
      this.errors.push({
        line: 1,
        column: 1,
        path: "",
        message: `the runbook is ${Math.ceil(bytes / 1024)} KiB; at most ${MAX_RUNBOOK_BYTES / 1024} KiB is accepted`,
      });
      return null;
    }
    const doc = parseDocument(this.text, { lineCounter: this.lines, prettyErrors: false, merge: false, uniqueKeys: true });
    const nul = this.text.indexOf("\u0000");
    if (nul >= 0) {
      this.add(nul, "", "contains a NUL character, which cannot be stored: remove it");
      return null;
    }
    for (const problem of [...doc.errors, ...doc.warnings]) {
      this.add(problem.pos[0], "", `invalid YAML: ${problem.message}`);
    }
    // A document with syntax errors is a guess at what was meant; checking it would report phantoms.
    if (this.errors.length > 0) return null;

    const root: unknown = doc.contents;
    if (isEmpty(root) || (isMap(root) && root.items.length === 0)) {
      this.add(0, "", 'the runbook is empty: expected its name (e.g. "agent_compromise_runbook:") with severity and steps under it');
      return null;
    }
    if (!isMap(root)) {
      this.add(startOf(root) ?? 0, "", `expected a runbook: its name followed by a colon (e.g. "agent_compromise_runbook:"), not ${describe(root)}`);
      return null;
    }
    this.refuseUnsafeNodes(root, "", 0);
    if (this.errors.length > 0) return null;

    const [first, ...others] = root.items;
    if (!first) return null;
    const name = textOf(first.key);
    for (const other of others) {
      this.add(
        this.keyOffset(other, 0),
        "",
        `one runbook per document: "${textOf(other.key) ?? describe(other.key)}" follows "${name ?? ""}"; upload it on its own`,
      );
    }
    const nameOffset = this.keyOffset(first, 0);
    if (name === null || !RUNBOOK_NAME_PATTERN.test(name)) {
      this.add(nameOffset, "", `the runbook's name ${describe(first.key)} must be ${NAME_RULE}`);
    }
    return this.readBody(name ?? "", first, nameOffset);
  }

  /**
   * Anchors, aliases and merge keys are refused: a runbook is short enough to write out, and aliases
   * can multiply. So is text PostgreSQL cannot store, which YAML escapes (\0, \ud800) can make.
   */
  private refuseUnsafeNodes(node: unknown, path: string, depth: number): void {
    const at = startOf(node) ?? 0;
    if (depth > MAX_DEPTH) {
      this.add(at, path, "nested too deeply: a runbook is a name, its fields, phases of steps and their texts");
      return;
    }
    if (isAlias(node)) {
      this.add(at, path, `aliases (*${node.source}) are not allowed: write the value out in full`);
      return;
    }
    if (isNode(node) && node.anchor) {
      // The node starts after its properties, possibly lines later; point at the anchor itself.
      const anchorAt = this.text.lastIndexOf(`&${node.anchor}`, at);
      this.add(anchorAt >= 0 ? anchorAt : at, path, `anchors (&${node.anchor}) are not allowed: write each value out in full`);
    }
    const unstorable = isScalar(node) && typeof node.value === "string" ? unstorableReason(node.value) : null;
    if (unstorable) this.add(at, path, unstorable);
    const below = (key: string) => (depth === 0 ? "" : path ? `${path}.${key}` : key);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = textOf(pair.key);
        if (key === "<<") this.add(this.keyOffset(pair, at), path, "merge keys (<<) are not allowed: write each field out in full");
        this.refuseUnsafeNodes(pair.key, path, depth + 1);
        this.refuseUnsafeNodes(pair.value, below(key ?? "?"), depth + 1);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) this.refuseUnsafeNodes(item, `${path}[${i}]`, depth + 1);
    }
  }

  private readBody(name: string, runbook: Pair<unknown, unknown>, nameOffset: number): RunbookDefinition | null {
    const body = runbook.value;
    if (isEmpty(body)) {
      this.add(nameOffset, "", "the runbook is empty: expected severity and at least one phase of steps under its name");
      return null;
    }
    if (!isMap(body)) {
      this.add(this.valueOffset(runbook, nameOffset), "", `expected severity and phases of steps under the runbook's name, not ${describe(body)}`);
      return null;
    }

    let severity: Severity | null = null;
    let severitySeen = false;
    let escalationPath: string[] = [];
    let phaseKeys = 0;
    const phases: RunbookPhase[] = [];
    for (const pair of body.items) {
      const key = textOf(pair.key);
      if (key === null) {
        this.add(this.keyOffset(pair, nameOffset), "", `expected a field name, not ${describe(pair.key)}`);
        continue;
      }
      if (key === "severity") {
        severitySeen = true;
        severity = this.readSeverity(pair, nameOffset);
      } else if (key === "escalation_path") {
        escalationPath = this.readEscalationPath(pair, nameOffset);
      } else if (this.isPhase(key, pair, nameOffset)) {
        phaseKeys++;
        const phase = this.readPhase(key, pair, nameOffset);
        if (phase) phases.push(phase);
      }
    }

    if (!severitySeen) this.add(nameOffset, "severity", "missing: a runbook needs a severity (low, medium, high or critical)");
    if (phaseKeys === 0) this.add(nameOffset, "", "a runbook needs at least one phase of steps, such as immediate_actions");
    if (this.errors.length > 0 || severity === null) return null;

    const order = (key: string) => {
      const i = KNOWN_PHASES.findIndex((p) => p.key === key);
      return i < 0 ? KNOWN_PHASES.length : i;
    };
    // Array.prototype.sort is stable, so unknown phases keep their file order.
    phases.sort((a, b) => order(a.key) - order(b.key));
    return { name, severity, escalationPath, phases };
  }

  private readSeverity(pair: Pair<unknown, unknown>, fallback: number): Severity | null {
    const text = textOf(pair.value);
    const severity = SEVERITIES.find((s) => s === text);
    if (severity) return severity;
    this.add(this.valueOffset(pair, fallback), "severity", `expected one of low, medium, high or critical, not ${describe(pair.value)}`);
    return null;
  }

  private readEscalationPath(pair: Pair<unknown, unknown>, fallback: number): string[] {
    const value = pair.value;
    if (!isSeq(value)) {
      this.add(
        this.valueOffset(pair, fallback),
        "escalation_path",
        `expected a list of roles, e.g. [oncall_engineer, security_team_lead], not ${describe(value)}`,
      );
      return [];
    }
    const roles: string[] = [];
    value.items.forEach((item, i) => {
      const role = textOf(item)?.trim() ?? "";
      if (role === "" || role.length > MAX_ROLE_CHARS || role.includes("\n")) {
        const what = role.length > MAX_ROLE_CHARS ? `at most ${MAX_ROLE_CHARS} characters` : "one line of text";
        this.add(startOf(item) ?? this.valueOffset(pair, fallback), `escalation_path[${i}]`, `expected a role name (${what}), not ${describe(item)}`);
      } else {
        roles.push(role);
      }
    });
    return roles;
  }

  /** Whether a key that is neither severity nor escalation_path should be read as a phase; reports why not. */
  private isPhase(key: string, pair: Pair<unknown, unknown>, fallback: number): boolean {
    if (KNOWN_PHASES.some((p) => p.key === key)) return true;
    const at = this.keyOffset(pair, fallback);
    const near = nearest(key, RESERVED_KEYS);
    if (near) {
      this.add(at, key, `unknown field "${key}": did you mean ${near}?`);
      return false;
    }
    if (!isSeq(pair.value) && !isEmpty(pair.value)) {
      this.add(at, key, `unknown field "${key}": a runbook has severity, escalation_path and phases, each phase a list of steps (- step: "…")`);
      return false;
    }
    if (!RUNBOOK_NAME_PATTERN.test(key)) {
      this.add(at, key, `a phase's name must be ${NAME_RULE}`);
      return false;
    }
    return true;
  }

  private readPhase(key: string, pair: Pair<unknown, unknown>, fallback: number): RunbookPhase | null {
    const value = pair.value;
    const at = this.valueOffset(pair, fallback);
    if (isEmpty(value) || (isSeq(value) && value.items.length === 0)) {
      this.add(at, key, 'the phase has no steps: add one (- step: "…") or remove the phase');
      return null;
    }
    if (!isSeq(value)) {
      this.add(at, key, `expected a list of steps (- step: "…"), not ${describe(value)}`);
      return null;
    }
    const steps: RunbookStep[] = [];
    value.items.forEach((item, index) => {
      this.stepCount++;
      const itemAt = startOf(item) ?? at;
      if (this.stepCount === MAX_RUNBOOK_STEPS + 1) {
        this.add(itemAt, `${key}[${index}]`, `a runbook has at most ${MAX_RUNBOOK_STEPS} steps; this is step ${this.stepCount}`);
      }
      const step = this.readStep(key, index, item, itemAt);
      if (step) steps.push(step);
    });
    return { key, title: phaseTitle(key), steps };
  }

  private readStep(phase: string, index: number, item: unknown, at: number): RunbookStep | null {
    const path = `${phase}[${index}]`;
    if (!isMap(item)) {
      this.add(at, path, `expected a step: a mapping such as step: "Activate kill switch", not ${describe(item)}`);
      return null;
    }
    const before = this.errors.length;
    const fields: Partial<Record<StepKey, string>> = {};
    const seen = new Set<string>();
    let timeoutSeconds: number | null = null;
    for (const pair of item.items) {
      const key = textOf(pair.key);
      const keyAt = this.keyOffset(pair, at);
      const known = STEP_KEYS.find((k) => k === key);
      if (!known) {
        const near = key === null ? null : nearest(key, STEP_KEYS);
        this.add(
          keyAt,
          `${path}.${key ?? "?"}`,
          `unknown key ${key === null ? describe(pair.key) : `"${key}"`}: a step has step, command, tool, description and timeout${near ? ` (did you mean ${near}?)` : ""}`,
        );
        continue;
      }
      seen.add(known);
      const fieldPath = `${path}.${known}`;
      const valueAt = this.valueOffset(pair, keyAt);
      const raw = textOf(pair.value);
      if (raw === null) {
        this.add(valueAt, fieldPath, known === "timeout" ? DURATION_HINT : `expected text, not ${describe(pair.value)}`);
        continue;
      }
      const text = raw.trim();
      if (text === "") {
        this.add(valueAt, fieldPath, known === "step" ? "a step needs a title" : "empty: remove the key or give it a value");
        continue;
      }
      if (known === "step") {
        if (text.length > MAX_STEP_TITLE_CHARS)
          this.add(valueAt, fieldPath, `a step's title is at most ${MAX_STEP_TITLE_CHARS} characters; this one has ${text.length}`);
        else if (text.includes("\n")) this.add(valueAt, fieldPath, "a step's title is one line; put details in description");
      } else if (known === "timeout") {
        timeoutSeconds = parseDuration(text);
        if (timeoutSeconds === null) this.add(valueAt, fieldPath, DURATION_HINT);
        else if (timeoutSeconds === 0) this.add(valueAt, fieldPath, "a timeout must be longer than zero");
        else if (timeoutSeconds > MAX_TIMEOUT_SECONDS) this.add(valueAt, fieldPath, "a timeout is at most 7 days");
      } else {
        if (text.length > MAX_TEXT_CHARS) this.add(valueAt, fieldPath, `at most ${MAX_TEXT_CHARS} characters; this has ${text.length}`);
        this.checkPlaceholders(text, pair.value, valueAt, fieldPath);
        if (known === "command" || known === "tool") this.checkShellContexts(text, pair.value, valueAt, fieldPath);
      }
      fields[known] = text;
    }
    if (!seen.has("step")) this.add(at, `${path}.step`, 'missing: every step needs a title (step: "…")');
    if (this.errors.length > before) return null;

    const command = fields.command ?? null;
    const tool = fields.tool ?? null;
    return {
      id: `${phase}.${index + 1}`,
      phase,
      index,
      title: fields.step ?? "",
      command,
      tool,
      description: fields.description ?? null,
      timeoutSeconds,
      timeoutText: fields.timeout ?? null,
      action: classifyStep({ command, tool }),
    };
  }

  /**
   * A command is shown filled in for a person to paste into a shell. A placeholder where no value
   * could be filled safely would leave the command unfilled at every incident: say so now.
   */
  private checkShellContexts(text: string, node: unknown, at: number, path: string): void {
    const range = isNode(node) ? node.range : null;
    const source = range ? this.text.slice(range[0], range[1]) : "";
    for (const { path: name, index, message } of shellContextProblems(text)) {
      // Point at the same occurrence in the source, as the source spells it out (it does unless escaped).
      const token = `{${name}}`;
      const nth = text.slice(0, index).split(token).length - 1;
      let inSource = -1;
      for (let k = 0; k <= nth; k++) {
        inSource = source.indexOf(token, inSource + 1);
        if (inSource < 0) break;
      }
      const offset = range && inSource >= 0 ? range[0] + inSource : at;
      this.add(offset, path, `${message}: the console would never fill it in; put it in a plain argument or a plain '…' or "…" string`);
    }
  }

  private checkPlaceholders(text: string, node: unknown, at: number, path: string): void {
    const range = isNode(node) ? node.range : null;
    const source = range ? this.text.slice(range[0], range[1]) : "";
    for (const { name } of placeholdersIn(text)) {
      if (isPlaceholder(name)) continue;
      // Point at the placeholder itself when the source spells it out (it does unless escaped).
      const inSource = source.indexOf(`{${name}}`);
      const offset = range && inSource >= 0 ? range[0] + inSource : at;
      const hint = /^[A-Z_][A-Z0-9_]*$/.test(name) ? ` (for a shell variable write $${name})` : "";
      this.add(offset, path, `unknown placeholder {${name}}: a runbook can use ${describePlaceholders()}${hint}`);
    }
  }
}
