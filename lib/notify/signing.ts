import { createHmac, timingSafeEqual } from "node:crypto";

export const TIMESTAMP_HEADER = "X-AgentSOC-Timestamp";
export const SIGNATURE_HEADER = "X-AgentSOC-Signature";

/** A destination's signing key: derived from SOC_SECRET, its id and key version, so it is never stored and rotating it is a version bump. */
export function signingKeyFor(secret: string, destinationId: string, version: number): string {
  return createHmac("sha256", secret).update(`agentsoc:webhook:${destinationId}:${version}`).digest("hex");
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, keyed with the destination's signing key (its hex text). */
export function signBody(signingKey: string, timestamp: number | string, rawBody: string): string {
  return `sha256=${createHmac("sha256", signingKey).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

/** The headers a generic JSON delivery carries. */
export function signatureHeaders(signingKey: string, rawBody: string, nowMs: number): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signBody(signingKey, timestamp, rawBody) };
}

/**
 * The receiver's side: true when the signature is ours for this exact body and the timestamp is
 * within `toleranceSeconds` of now (default 5 minutes), which stops an old delivery being replayed.
 * Verify against the raw body as received, before parsing it.
 */
export function verifySignature({
  signingKey,
  rawBody,
  timestamp,
  signature,
  nowMs = Date.now(),
  toleranceSeconds = 300,
}: {
  signingKey: string;
  rawBody: string;
  timestamp: string | null;
  signature: string | null;
  nowMs?: number;
  toleranceSeconds?: number;
}): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signBody(signingKey, timestamp, rawBody));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
