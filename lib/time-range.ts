/**
 * Time ranges as pages and the API take them: relative to now ("15m", "1h", "24h", "7d") or absolute
 * (`since`/`until`, each ISO 8601 or epoch seconds). Pure, so the browser's picker and the server
 * read a URL the same way.
 */

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_TIME_MS = Date.UTC(9999, 11, 31);
const MAX_RELATIVE_MS = 3650 * UNIT_MS.d;

/** The spans the pickers offer, shortest first. */
export const RANGE_PRESETS = [
  { value: "15m", label: "Last 15 min" },
  { value: "1h", label: "Last 1 h" },
  { value: "24h", label: "Last 24 h" },
  { value: "7d", label: "Last 7 d" },
] as const;

/** A relative range's length in milliseconds ("90m", "6h", "30d"), or null when it is not one. */
export function parseRelativeRange(text: string): number | null {
  const m = /^(\d{1,5})([mhd])$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 && ms <= MAX_RELATIVE_MS ? ms : null;
}

/** An instant: ISO 8601 or epoch seconds, between 1970 and 9999; null when it is neither. */
export function parseInstant(text: string): Date | null {
  const value = text.trim();
  if (value === "") return null;
  // Date.parse alone accepts whatever V8's legacy parser guesses at ("-5" is May 2001): only ISO 8601's shape is read as a date.
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIME_MS) return null;
  return new Date(ms);
}

export interface TimeRangeInput {
  range?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

export interface ResolvedTimeRange {
  since: Date | null;
  until: Date | null;
  /** The relative range it came from, or null for an absolute one. */
  relative: string | null;
}

export type TimeRangeResult = { ok: true; value: ResolvedTimeRange } | { ok: false; field: "range" | "since" | "until"; message: string };

/**
 * Reads a range from a URL's values at `nowMs`. A relative range and absolute bounds together are
 * refused, since one link must mean one window.
 */
export function resolveTimeRange(input: TimeRangeInput, nowMs: number): TimeRangeResult {
  const range = input.range?.trim() || undefined;
  const sinceText = input.since?.trim() || undefined;
  const untilText = input.until?.trim() || undefined;
  if (range !== undefined) {
    if (sinceText !== undefined || untilText !== undefined) {
      return { ok: false, field: "range", message: "give either a relative range or since/until, not both" };
    }
    const ms = parseRelativeRange(range);
    if (ms === null) return { ok: false, field: "range", message: 'expected a number and a unit m, h or d, such as "15m", "24h" or "7d" (up to 3650 days)' };
    return { ok: true, value: { since: new Date(nowMs - ms), until: new Date(nowMs), relative: range } };
  }
  const since = sinceText === undefined ? null : parseInstant(sinceText);
  if (sinceText !== undefined && since === null)
    return { ok: false, field: "since", message: "expected ISO 8601 time or epoch seconds, between 1970 and 9999" };
  const until = untilText === undefined ? null : parseInstant(untilText);
  if (untilText !== undefined && until === null)
    return { ok: false, field: "until", message: "expected ISO 8601 time or epoch seconds, between 1970 and 9999" };
  if (since && until && since > until) return { ok: false, field: "until", message: "until is before since" };
  return { ok: true, value: { since, until, relative: null } };
}

/** The range as URL values, dropping what is unset, so a link reproduces it. */
export function timeRangeParams(input: TimeRangeInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["range", "since", "until"] as const) {
    const value = input[key]?.trim();
    if (value) out[key] = value;
  }
  return out;
}

/** How a range reads in a page's heading: "last 24 h", or "from … to …" in UTC. */
export function describeTimeRange(input: TimeRangeInput): string {
  const preset = RANGE_PRESETS.find((p) => p.value === input.range?.trim());
  if (preset) return preset.label.toLowerCase();
  if (input.range?.trim()) return `last ${input.range.trim()}`;
  const since = input.since ? parseInstant(input.since) : null;
  const until = input.until ? parseInstant(input.until) : null;
  const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  if (since && until) return `from ${utc(since)} to ${utc(until)}`;
  if (since) return `since ${utc(since)}`;
  if (until) return `until ${utc(until)}`;
  return "all time";
}
