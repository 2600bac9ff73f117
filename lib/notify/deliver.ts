import { and, eq, sql } from "drizzle-orm";
import { appDb, type Db } from "@/db/client";
import { notificationAttempts, notificationDeliveries } from "@/db/schema";
import { type EgressPolicy, EgressRefusedError, egressPolicy, postOutbound } from "@/lib/egress";
import { socSecret } from "@/lib/env";
import { describeError, errorCode } from "@/lib/errors";
import { serialPasses } from "@/lib/serial-passes";
import type { NotificationKind } from "./payloads";
import { type AttemptOutcome, describeSendError, nextStep, outcomeOfResponse } from "./retry-schedule";
import { openSealed } from "./seal";
import { signatureHeaders, signingKeyFor } from "./signing";

/** Deliveries one pass claims; they are sent concurrently, so a pass takes about one timeout at worst. */
export const DELIVERY_BATCH = 20;
export const SEND_TIMEOUT_MS = 5_000;
const USER_AGENT = "AgentSOC-Notifications/1";
const FOREIGN_KEY_VIOLATION = "23503";

interface Claimed {
  id: number;
  attempt: number;
  alertId: number | null;
  event: string | null;
  payload: Record<string, unknown>;
  destinationId: string;
  kind: NotificationKind;
  urlSealed: string;
  signingKeyVersion: number;
}

export interface DeliveryPassReport {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
  /** Sent, but the outcome could not be written; the lease runs out and the delivery is tried again. */
  unrecorded: number;
}

/**
 * Claims due deliveries with a 30-second lease, in one statement: instances running side by side
 * skip each other's rows, and a row whose sender died is taken again when its lease runs out. The
 * attempt is counted at claim, so a delivery that crashes its sender still reaches its limit.
 */
async function claimDue(db: Db): Promise<Claimed[]> {
  const result = await db.execute<{
    id: string;
    attempts: number;
    alert_id: string | null;
    event: string | null;
    payload: Record<string, unknown>;
    destination_id: string;
    kind: NotificationKind;
    url_sealed: string;
    signing_key_version: number;
  }>(sql`
    UPDATE notification_deliveries d SET lease_until = now() + interval '30 seconds', attempts = d.attempts + 1
    FROM notification_destinations n
    WHERE n.id = d.destination_id AND d.id IN (
      SELECT id FROM notification_deliveries
      WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
      ORDER BY next_attempt_at LIMIT ${DELIVERY_BATCH} FOR UPDATE SKIP LOCKED)
    RETURNING d.id, d.attempts, d.alert_id, d.event, d.payload, d.destination_id, n.kind, n.url_sealed, n.signing_key_version`);
  return result.rows.map((r) => ({
    id: Number(r.id),
    attempt: r.attempts,
    alertId: r.alert_id === null ? null : Number(r.alert_id),
    event: r.event,
    payload: r.payload,
    destinationId: r.destination_id,
    kind: r.kind,
    urlSealed: r.url_sealed,
    signingKeyVersion: r.signing_key_version,
  }));
}

async function send(row: Claimed, secret: string | null, policy: EgressPolicy): Promise<AttemptOutcome> {
  const url = secret === null ? null : openSealed(row.urlSealed, secret);
  if (url === null) {
    return {
      ok: false,
      statusCode: null,
      error: secret === null ? "SOC_SECRET is not set, so the URL cannot be decrypted" : "the URL cannot be decrypted (SOC_SECRET changed?): enter it again",
      refused: true,
      retryAfterSeconds: null,
    };
  }
  const body = JSON.stringify(row.payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    "x-agentsoc-delivery": String(row.id),
    "x-agentsoc-event": row.event ?? (typeof row.payload.event === "string" ? row.payload.event : row.alertId === null ? "test" : "alert.opened"),
  };
  if (row.kind === "json" && secret !== null)
    Object.assign(headers, signatureHeaders(signingKeyFor(secret, row.destinationId, row.signingKeyVersion), body, Date.now()));
  try {
    const answer = await postOutbound({ url, headers, body, timeoutMs: SEND_TIMEOUT_MS, maxAnswerBytes: 0, policy });
    return outcomeOfResponse(answer.status, answer.header("retry-after"));
  } catch (err) {
    const refused = err instanceof EgressRefusedError;
    return { ok: false, statusCode: null, error: describeSendError(err, SEND_TIMEOUT_MS), refused, retryAfterSeconds: null, final: refused };
  }
}

/** One attempt row per try, and the delivery moved on, unless someone else moved it meanwhile (disabled, or its lease ran out and another sender took it). */
async function record(db: Db, row: Claimed, outcome: AttemptOutcome, startedAt: Date, durationMs: number): Promise<"delivered" | "retrying" | "failed"> {
  const step = nextStep(row.attempt, outcome);
  const error = outcome.ok ? null : outcome.error;
  await db.transaction(async (tx) => {
    await tx
      .insert(notificationAttempts)
      .values({ deliveryId: row.id, attempt: row.attempt, at: startedAt, statusCode: outcome.statusCode, error, durationMs });
    const mine = and(eq(notificationDeliveries.id, row.id), eq(notificationDeliveries.attempts, row.attempt), eq(notificationDeliveries.status, "pending"));
    await tx
      .update(notificationDeliveries)
      .set(
        step.status === "delivered"
          ? { status: "delivered", deliveredAt: sql`now()`, leaseUntil: null, lastError: null }
          : step.status === "failed"
            ? { status: "failed", leaseUntil: null, lastError: error }
            : { nextAttemptAt: sql`now() + make_interval(secs => ${step.delaySeconds}::int)`, leaseUntil: null, lastError: error },
      )
      .where(mine);
  });
  return step.status === "pending" ? "retrying" : step.status;
}

/**
 * One pass of the outbox: claim what is due, POST each, record each attempt, schedule retries with
 * back-off. A destination the egress policy refuses fails at once, with the reason.
 */
export async function deliverDueNotifications(db: Db, policy: EgressPolicy = egressPolicy()): Promise<DeliveryPassReport> {
  const claimed = await claimDue(db);
  const report: DeliveryPassReport = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0, unrecorded: 0 };
  if (claimed.length === 0) return report;
  const secret = socSecret();
  await Promise.all(
    claimed.map(async (row) => {
      const startedAt = new Date();
      const t0 = performance.now();
      const outcome = await send(row, secret, policy);
      const durationMs = Math.round(performance.now() - t0);
      try {
        report[await record(db, row, outcome, startedAt, durationMs)]++;
      } catch (err) {
        // The destination was deleted while this was in flight: its deliveries went with it.
        if (errorCode(err) === FOREIGN_KEY_VIOLATION) return;
        report.unrecorded++;
        console.error(`[notify] could not record delivery ${row.id}; it will be tried again: ${describeError(err)}`);
      }
    }),
  );
  return report;
}

const deliveryPasses = serialPasses("notify", "delivery pass", async (db: Db) => ({ more: (await deliverDueNotifications(db)).claimed === DELIVERY_BATCH }));

/** Runs delivery passes until nothing more is due now, at most one at a time per process (serialPasses). */
export function runNotificationDelivery(db: Db = appDb()): Promise<void> {
  return deliveryPasses(db);
}

/** After a commit that queued notifications: send them now rather than at the next tick. */
export function kickNotificationDelivery(): void {
  void runNotificationDelivery();
}
