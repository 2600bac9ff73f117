import { createHash, randomUUID } from "node:crypto";
import { canonicalJson } from "./python-json.js";

export type ActionType = "llm_call" | "tool_call" | "decision" | "error" | "security";
export const ACTION_TYPES: readonly ActionType[] = ["llm_call", "tool_call", "decision", "error", "security"];

/** What `log()` takes besides the action's type and name; the guide's `AgentActionLog` fields in camelCase. */
export interface LogFields {
  inputSummary?: string;
  outputSummary?: string;
  durationMs?: number;
  tokenCount?: number | null;
  costUsd?: number | null;
  toolName?: string | null;
  toolArgsHash?: string | null;
  error?: string | null;
  securityFlags?: string[] | null;
  metadata?: Record<string, unknown> | null;
  /** When the action happened, epoch seconds (float); now by default. */
  timestamp?: number;
}

/** The console's limit for a summary or an error; longer text is cut here rather than lose the whole record. */
export const MAX_SUMMARY_CHARS = 32 * 1024;

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `…[${text.length - max} more characters cut by the SDK]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

/** Text for a summary from any value: strings as they are (quoted when `quoted`), anything else as JSON, never throwing. */
export function summarize(value: unknown, max: number, quoted = false): string {
  if (value === undefined) return quoted ? "undefined" : "";
  if (typeof value === "string") return truncate(quoted ? JSON.stringify(value) : value, max);
  try {
    const json = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    return truncate(json ?? String(value), max);
  } catch {
    return truncate(String(value), max);
  }
}

/** The guide's tool_args_hash: the first 16 hex digits of SHA-256 over the arguments as sorted-key JSON. */
export function argsHash(args: unknown): string {
  let text: string;
  try {
    text = canonicalJson(args);
  } catch {
    text = summarize(args, Number.MAX_SAFE_INTEGER);
  }
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16);
}

export const newEventId = (): string => randomUUID();

/** A session id like the guide's "sess_abc123": 64 random bits. */
export const newSessionId = (): string => `sess_${randomUUID().replaceAll("-", "").slice(0, 16)}`;

/** The event as one NDJSON line; metadata JSON cannot hold (a cycle, a BigInt) is replaced by a note saying so. */
export function eventLine(event: Record<string, unknown>): { line: string; problem: string | null } {
  try {
    return { line: JSON.stringify(event), problem: null };
  } catch (err) {
    const problem = `metadata could not be serialised as JSON: ${(err as Error).message}`;
    return { line: JSON.stringify({ ...event, metadata: { agentsoc_sdk_error: problem } }), problem };
  }
}
