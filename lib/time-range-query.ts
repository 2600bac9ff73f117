import { z } from "zod";
import { AppError } from "@/lib/errors";
import { parseRelativeRange, resolveTimeRange, type TimeRangeInput } from "@/lib/time-range";

/** A refused query string, every problem named by parameter: how every list endpoint refuses its filters. */
export function invalidQuery(errors: { path: string; message: string }[]): AppError {
  return new AppError("VALIDATION", `Invalid query: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, { details: { errors } });
}

const instant = z.string().max(64).meta({ description: "ISO 8601 or epoch seconds" });

/** The range parameters of every list read by time (events, alerts, audit), validated and documented once. */
export const timeRangeQueryShape = {
  range: z
    .string()
    .max(16)
    .refine((r) => parseRelativeRange(r) !== null, 'expected a number and a unit m, h or d, such as "15m", "24h" or "7d"')
    .optional()
    .meta({ description: "A window ending now: 15m, 1h, 24h, 7d (any number of m, h or d). Not together with since/until." }),
  since: instant.optional(),
  until: instant.optional(),
};

/** The instants a query's range names at `nowMs`; a range that cannot be read is refused by parameter. */
export function queryBounds(query: TimeRangeInput, nowMs: number): { since: Date | undefined; until: Date | undefined } {
  const resolved = resolveTimeRange(query, nowMs);
  if (!resolved.ok) throw invalidQuery([{ path: resolved.field, message: resolved.message }]);
  return { since: resolved.value.since ?? undefined, until: resolved.value.until ?? undefined };
}
