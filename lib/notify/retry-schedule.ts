import { EgressRefusedError } from "@/lib/egress";
import { errorCode } from "@/lib/errors";

/** Wait after the 1st, 2nd, … failed attempt: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h. */
export const RETRY_DELAYS_SECONDS = [5, 30, 120, 600, 1_800, 3_600] as const;
/** A delivery is given up after this many failed attempts (about 1 h 45 min after the first). */
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
/**
 * A refusal that will not change by itself (4xx other than 408 and 429, a redirect, a URL that
 * cannot be opened) is given up sooner: three attempts, in case it was a receiver mid-deploy.
 */
export const MAX_ATTEMPTS_REFUSED = 3;
const RETRY_AFTER_MAX_SECONDS = 3_600;

export type AttemptOutcome =
  | { ok: true; statusCode: number }
  | {
      ok: false;
      statusCode: number | null;
      error: string;
      refused: boolean;
      retryAfterSeconds: number | null;
      /** Refused by the console's own egress policy: failed at once, as no retry can change that. */
      final?: boolean;
    };

export type NextStep = { status: "delivered" } | { status: "failed" } | { status: "pending"; delaySeconds: number };

/** What an HTTP answer means for the delivery. A redirect is not followed: a webhook that moves is misconfigured. */
export function outcomeOfResponse(statusCode: number, retryAfter: string | null): AttemptOutcome {
  if (statusCode >= 200 && statusCode < 300) return { ok: true, statusCode };
  const retryAfterSeconds = retryAfter !== null && /^\d{1,7}$/.test(retryAfter.trim()) ? Math.min(Number(retryAfter.trim()), RETRY_AFTER_MAX_SECONDS) : null;
  if (statusCode >= 300 && statusCode < 400)
    return { ok: false, statusCode, error: `redirect (HTTP ${statusCode}) not followed`, refused: true, retryAfterSeconds: null };
  const refused = statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 429;
  return { ok: false, statusCode, error: `HTTP ${statusCode}`, refused, retryAfterSeconds };
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed while sending",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_HEADERS_TIMEOUT: "timed out waiting for the answer",
  UND_ERR_SOCKET: "connection closed by the receiver",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

/**
 * A failed request in a few words. Built from error names and codes only: Node's messages name the
 * address, and a webhook URL is a credential. An egress refusal names the host and address only.
 */
export function describeSendError(err: unknown, timeoutMs: number): string {
  if (err instanceof EgressRefusedError) return err.message;
  if (err instanceof Error && err.name === "TimeoutError") return `timed out after ${timeoutMs / 1000} s`;
  const code = errorCode(err);
  const known = code ? NETWORK_ERRORS[code] : undefined;
  if (known) return known;
  if (code && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return `TLS error (${code})`;
  if (code && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return `network error (${code})`;
  return "network error";
}

/** After attempt number `attempt` (1-based) ended with `outcome`: delivered, another try after a delay, or given up. */
export function nextStep(attempt: number, outcome: AttemptOutcome): NextStep {
  if (outcome.ok) return { status: "delivered" };
  if (outcome.final || attempt >= (outcome.refused ? MAX_ATTEMPTS_REFUSED : MAX_ATTEMPTS)) return { status: "failed" };
  const backoff = RETRY_DELAYS_SECONDS[Math.min(attempt, RETRY_DELAYS_SECONDS.length) - 1] ?? RETRY_DELAYS_SECONDS[0];
  return { status: "pending", delaySeconds: Math.max(backoff, outcome.retryAfterSeconds ?? 0) };
}
