export interface BackoffOptions {
  /** First retry's delay, before jitter. */
  baseMs: number;
  /** Longest delay backoff alone reaches; a longer Retry-After from the console is still honoured. */
  maxMs: number;
}

/** The longest Retry-After honoured: past it the answer is taken for a misconfiguration, not a plan. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so many agents
 * retrying after the same outage spread out without any of them retrying at once.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return step / 2 + random() * (step / 2);
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/** The wait before the next attempt: the backoff step, or the console's Retry-After when that is longer. */
export function retryDelay(attempt: number, retryAfter: number | null, options: BackoffOptions, random: () => number = Math.random): number {
  const backoff = backoffDelay(attempt, options, random);
  return retryAfter === null ? backoff : Math.max(retryAfter, backoff);
}
