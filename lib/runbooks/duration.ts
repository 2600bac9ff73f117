// A Map, not an object: a unit such as "constructor" must not find Object's own properties.
const UNIT_SECONDS = new Map<string, number>(
  Object.entries({
    s: 1,
    sec: 1,
    secs: 1,
    second: 1,
    seconds: 1,
    m: 60,
    min: 60,
    mins: 60,
    minute: 60,
    minutes: 60,
    h: 3600,
    hr: 3600,
    hrs: 3600,
    hour: 3600,
    hours: 3600,
    d: 86_400,
    day: 86_400,
    days: 86_400,
  }),
);

/** A step's timeout may not exceed a week: longer is a schedule, not a timeout. */
export const MAX_TIMEOUT_SECONDS = 7 * 86_400;

/**
 * Seconds in a timeout written as a whole number and a unit: "30 seconds", "2 minutes", "1 hour",
 * "90s", "5m", "1h", "3 days". Null for anything else, bare numbers included (seconds or minutes?).
 * The caller checks the range.
 */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d{1,9})\s*([a-z]+)\s*$/i.exec(text);
  if (!match) return null;
  const unit = UNIT_SECONDS.get((match[2] ?? "").toLowerCase());
  return unit === undefined ? null : Number(match[1]) * unit;
}

/** Whether a step started at startedAt has run past its timeout; a step without one is never overdue. */
export function isOverdue(startedAt: Date, timeoutSeconds: number | null, now: Date): boolean {
  if (timeoutSeconds === null) return false;
  return now.getTime() - startedAt.getTime() > timeoutSeconds * 1000;
}
