import { z } from "zod";
import { ACTION_TYPES } from "@/db/schema/events";
import { SEVERITIES } from "@/lib/detect/types";
import { isoTime, jsonObject } from "@/lib/schema-kit";
import { storableJson, storableText, unstorableReason } from "@/lib/storable-text";

export const MAX_SUMMARY_CHARS = 32 * 1024;
export const MAX_METADATA_BYTES = 32 * 1024;
export const MAX_METADATA_DEPTH = 16;
/** Object keys at every depth. The guide's agents send a handful (its security events: up to four); redaction works per key. */
export const MAX_METADATA_KEYS = 1000;
const MAX_INT32 = 2 ** 31 - 1;

/** Upper bounds keep sums in the rollups finite and name an absurd value as a bad field, not a failed batch. */
const nonNegative = (max: number) => z.number().nonnegative().max(max);

/** Nesting depth of a JSON value, measured without recursion so hostile input cannot exhaust the stack. */
export function jsonDepth(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let deepest = 0;
  // Only objects and arrays are walked: a leaf adds no depth.
  const objects: object[] = [value];
  const depths: number[] = [1];
  for (let current = objects.pop(); current !== undefined; current = objects.pop()) {
    const depth = depths.pop() ?? 0;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_METADATA_DEPTH) return deepest;
    for (const child of Object.values(current)) {
      if (typeof child !== "object" || child === null) continue;
      objects.push(child);
      depths.push(depth + 1);
    }
  }
  return deepest;
}

/**
 * The first key of a JSON object that cannot be kept: past MAX_METADATA_KEYS (counted at every depth),
 * or named "__proto__", which zod's copy drops and which a JavaScript reader copying the object
 * would take for its prototype. Walks without recursion; callers bound the depth first.
 */
export function metadataKeyProblem(value: object): { path: string[]; message: string } | null {
  let keys = 0;
  // Each object is visited with the way to it; the path is spelt out only for a problem.
  interface Visit {
    value: object;
    from: Visit | null;
    key: string;
  }
  const pathTo = (visit: Visit, key: string) => {
    const path = [key];
    for (let v: Visit | null = visit; v?.from; v = v.from) path.unshift(v.key);
    return path;
  };
  const stack: Visit[] = [{ value, from: null, key: "" }];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    // Array items are not keys, but objects inside arrays have keys of their own.
    const isArray = Array.isArray(current.value);
    const record = current.value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!isArray && ++keys > MAX_METADATA_KEYS) return { path: [], message: `metadata has more than ${MAX_METADATA_KEYS} keys (counted at every depth)` };
      if (key === "__proto__")
        return { path: pathTo(current, key), message: 'the key name "__proto__" cannot be stored: JavaScript readers take it for the object\'s prototype' };
      const inner = record[key];
      if (typeof inner === "object" && inner !== null) stack.push({ value: inner, from: current, key });
    }
  }
  return null;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Fields that name things (they are keys, URL segments, Redis keys or metric labels): text
 * PostgreSQL cannot store rejects the record with the field named, since any replacement would
 * make it name something else.
 */
const identifier = (schema: z.ZodString) =>
  schema.superRefine((text, ctx) => {
    const why = unstorableReason(text);
    if (why) ctx.addIssue({ code: "custom", message: why });
  });

/** Free text: a NUL or lone surrogate becomes U+FFFD, and the record is kept. */
const freeText = (max: number) => z.string().max(max).transform(storableText);

/** One agent action log record: the `AgentActionLog` contract in ARCHITECTURE.md. Unknown fields are ignored. */
export const agentEventSchema = z.object({
  timestamp: z.number().positive(),
  agent_id: identifier(z.string().min(1).max(128)),
  // A URL path cannot hold "." or ".." as a segment (browsers resolve them, encoded or not): the session page could not open.
  session_id: identifier(z.string().min(1).max(256)).refine((id) => id !== "." && id !== "..", '"." and ".." cannot be a session id: no URL can address them'),
  action_type: z.enum(ACTION_TYPES),
  action_name: identifier(z.string().min(1).max(256)),
  input_summary: freeText(MAX_SUMMARY_CHARS),
  output_summary: freeText(MAX_SUMMARY_CHARS),
  duration_ms: nonNegative(30 * 86_400_000),
  token_count: z.number().int().nonnegative().max(MAX_INT32).nullish(),
  cost_usd: nonNegative(1_000_000).nullish(),
  tool_name: identifier(z.string().max(256)).nullish(),
  tool_args_hash: freeText(256).nullish(),
  error: freeText(MAX_SUMMARY_CHARS).nullish(),
  security_flags: z.array(freeText(128)).max(64).nullish(),
  // Checked as sent: z.record would copy it first and silently drop a "__proto__" key.
  metadata: z
    .custom<Record<string, unknown>>(isPlainObject, "expected an object")
    .meta({
      override: { type: "object" },
      description: `Any JSON object: at most ${MAX_METADATA_DEPTH} levels deep, ${MAX_METADATA_KEYS} keys and ${MAX_METADATA_BYTES} bytes`,
    })
    // Depth first: the walks below, redaction and JSON.stringify all follow the nesting.
    .refine((m) => jsonDepth(m) <= MAX_METADATA_DEPTH, {
      message: `metadata is nested deeper than ${MAX_METADATA_DEPTH} levels`,
      abort: true,
    })
    .superRefine((m, ctx) => {
      const problem = metadataKeyProblem(m);
      if (problem) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message, continue: false });
    })
    .refine((m) => JSON.stringify(m).length <= MAX_METADATA_BYTES, {
      message: `metadata is larger than ${MAX_METADATA_BYTES} bytes once serialised`,
    })
    .transform((m) => storableJson(m) as Record<string, unknown>)
    .nullish(),
  action_sequence: z.number().int().nonnegative().max(MAX_INT32).nullish(),
  session_elapsed_s: nonNegative(365 * 86_400).nullish(),
  session_total_cost_usd: nonNegative(1_000_000_000).nullish(),
  event_id: z.uuid().nullish(),
});

export type AgentEvent = z.infer<typeof agentEventSchema>;

// What the API answers.

export const ingestResultSchema = z
  .object({
    accepted: z.number().int().meta({ description: "Records stored now" }),
    duplicates: z.number().int().meta({ description: "Records whose event_id was already stored: not stored twice" }),
    rejected: z
      .array(
        z.object({
          index: z.number().int().meta({ description: "The record's position in the batch (0-based)" }),
          event_id: z.string().nullable(),
          errors: z.array(z.object({ path: z.string(), message: z.string() })),
        }),
      )
      .meta({ description: "Records refused, each with every field problem; the others were stored" }),
  })
  .meta({ id: "IngestResult" });

export const eventViewSchema = z
  .object({
    event_id: z.uuid(),
    timestamp: z.number().meta({ description: "Epoch seconds, as the agent sent it" }),
    time: isoTime,
    agent_id: z.string(),
    session_id: z.string(),
    action_type: z.string(),
    action_name: z.string(),
    input_summary: z.string(),
    output_summary: z.string(),
    duration_ms: z.number(),
    token_count: z.number().int().nullable(),
    cost_usd: z.number().nullable(),
    tool_name: z.string().nullable(),
    tool_args_hash: z.string().nullable(),
    error: z.string().nullable(),
    security_flags: z.array(z.string()),
    metadata: jsonObject.nullable(),
    action_sequence: z.number().int().nullable(),
    session_elapsed_s: z.number().nullable(),
    session_total_cost_usd: z.number().nullable(),
    redactions: z.record(z.string(), z.number()).nullable().meta({ description: "How many values of each kind of PII were redacted" }),
    received_at: isoTime,
  })
  .meta({ id: "Event" });

/** What detection recorded about one event, with the alert it counts towards. */
export const eventFindingSchema = z.object({ alert_id: z.number().int(), type: z.string(), severity: z.enum(SEVERITIES), detail: z.string() });

export const listedEventSchema = eventViewSchema
  .extend({ alerts: z.array(eventFindingSchema).meta({ description: "The findings detection raised on this event, most severe first" }) })
  .meta({ id: "ListedEvent" });

export const eventPageSchema = z.object({
  events: z.array(listedEventSchema),
  next_cursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last" }),
  window: z
    .object({ since: isoTime, until: isoTime })
    .nullable()
    .meta({ description: "With `q`: the window searched, the range asked for (the last 24 hours when none) cut at the retention window" }),
});

export type IngestResult = z.infer<typeof ingestResultSchema>;
export type RejectedRecord = IngestResult["rejected"][number];
export type FieldError = RejectedRecord["errors"][number];
