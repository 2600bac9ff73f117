/** How a failing step is retried, and how long a worker holds a step it is running. */
export interface RetryPolicy {
  /** The wait after a step's first failure; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts at one step before the credential is marked failed. */
  maxAttempts: number;
  /** A step whose worker died is taken again once this runs out; longer than any step's own timeouts. */
  leaseMs: number;
}

/** 10 s doubling to 5 min, 7 attempts: a credential is marked failed about 10 minutes after its first failure. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 10_000, maxDelayMs: 5 * 60_000, maxAttempts: 7, leaseMs: 2 * 60_000 };

/** The wait before the next attempt, after `failedAttempts` failures of the same step (1 or more). */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
}
