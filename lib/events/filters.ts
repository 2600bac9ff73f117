import { z } from "zod";
import { ACTION_TYPES } from "@/db/schema/events";
import { resolveTimeRange } from "@/lib/time-range";
import { invalidQuery, timeRangeQueryShape } from "@/lib/time-range-query";

const DAY_MS = 86_400_000;
/** A search with no range looks this far back. */
export const DEFAULT_SEARCH_RANGE = "24h";
export const MAX_SEARCH_CHARS = 200;

/**
 * Search text as PostgreSQL can take it: NUL removed (text cannot hold it) and lone surrogates
 * replaced (UTF-8 cannot encode them). It is then only ever a bound parameter of
 * websearch_to_tsquery, where `%`, `_` and quotes are plain characters or phrase marks, never SQL.
 */
export function cleanSearchText(text: string): string {
  return text.replaceAll("\u0000", "").toWellFormed().trim();
}

const searchText = z
  .string()
  .max(MAX_SEARCH_CHARS)
  .transform(cleanSearchText)
  .refine((q) => /[\p{L}\p{N}]/u.test(q), "needs at least one letter or digit to look for")
  .meta({
    description:
      'Words to find in names, summaries, errors, flags and metadata string values (whole words, any order; "quoted words" as a phrase; -word excludes). Bounded in time: with no range, the last 24 hours; never older than the retention window.',
  });

/** The events list's query string, as the API documents and validates it. */
export const eventQuerySchema = z.object({
  agent_id: z.string().min(1).max(128).optional(),
  session_id: z.string().min(1).max(256).optional(),
  action_type: z.enum(ACTION_TYPES).optional(),
  tool_name: z.string().min(1).max(256).optional(),
  q: searchText.optional(),
  ...timeRangeQueryShape,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});

export type EventQuery = z.infer<typeof eventQuerySchema>;

/** What the events read takes: every bound resolved to an instant. */
export interface EventFilters {
  agent_id?: string | undefined;
  session_id?: string | undefined;
  action_type?: (typeof ACTION_TYPES)[number] | undefined;
  tool_name?: string | undefined;
  q?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface ResolvedEventQuery {
  filters: EventFilters;
  /** The window a text search covered (null without `q`): the range asked for, cut at the retention window. */
  window: { since: string; until: string } | null;
}

/** Parses a query string with `schema`, refusing it as invalidQuery does. */
export function parseEventQuery<T>(schema: z.ZodType<T>, raw: Record<string, string>): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw invalidQuery(parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
}

/**
 * Reads the events list's query at `nowMs`. A text search is always bounded: no range means the last
 * 24 hours, and no bound reaches past the retention window, so a search never scans every partition.
 */
export function resolveEventQuery(params: URLSearchParams | Record<string, string | undefined>, nowMs: number, retentionDays: number): ResolvedEventQuery {
  const entries = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  // A blank search box is no search, as an empty filter is no filter.
  const cleaned = Object.fromEntries(Object.entries(entries).filter(([k, v]) => v !== undefined && v !== "" && !(k === "q" && cleanSearchText(v) === "")));
  const query = parseEventQuery(eventQuerySchema, cleaned as Record<string, string>);
  const hasBounds = query.range !== undefined || query.since !== undefined || query.until !== undefined;
  const asked = query.q !== undefined && !hasBounds ? { range: DEFAULT_SEARCH_RANGE } : query;
  const resolved = resolveTimeRange(asked, nowMs);
  if (!resolved.ok) throw invalidQuery([{ path: resolved.field, message: resolved.message }]);
  let since = resolved.value.since ?? undefined;
  let until = resolved.value.until ?? undefined;
  let window: ResolvedEventQuery["window"] = null;
  if (query.q !== undefined) {
    const floor = new Date(nowMs - retentionDays * DAY_MS);
    until = until ?? new Date(nowMs);
    if (until < floor)
      throw invalidQuery([{ path: "until", message: `the search window ends before the retention window (${retentionDays} days): those events are gone` }]);
    since = since === undefined || since < floor ? floor : since;
    window = { since: since.toISOString(), until: until.toISOString() };
  }
  const { range: _range, since: _since, until: _until, ...rest } = query;
  return { filters: { ...rest, since, until }, window };
}
