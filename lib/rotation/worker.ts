import { and, eq, isNotNull, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rotationItems, rotationRuns } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { newSecretIsShownOnce } from "@/lib/credentials/describe";
import { storeRotatedSecret } from "@/lib/credentials/manage-credentials";
import type { CredentialKind, ProviderSet, RotationStep } from "@/lib/credentials/providers";
import type { ROTATION_ITEM_STEPS } from "@/lib/credentials/providers/provider";
import { claimHeld, claimIsMine } from "@/lib/credentials/providers/under-claim";
import { WebhookStepError } from "@/lib/credentials/providers/webhook";
import { openCredentialSecret, sealCredentialSecret } from "@/lib/credentials/secrets";
import { AppError, describeError } from "@/lib/errors";
import { reportRotationToIncident } from "@/lib/incidents/report-rotation";
import { enqueueRotationFailure } from "@/lib/notify";
import { finishRunIfDone } from "./finish-run";
import { type RetryPolicy, retryDelayMs } from "./policy";

type ItemStep = (typeof ROTATION_ITEM_STEPS)[number];

const NEXT_STEP: Record<RotationStep, ItemStep> = { revoke_old: "create", create: "apply", apply: "verify", verify: "record" };
/** Items one pass claims; their credentials are rotated side by side. */
export const CLAIM_BATCH = 10;
const ERROR_MAX_CHARS = 1_000;

export interface RotationDeps {
  db: Db;
  providers: ProviderSet;
  policy: RetryPolicy;
  /** After a commit that queued notifications (the failure's urgent notice). */
  onNotificationsQueued?: () => void;
}

/** One claimed item: the step it is at, the attempt number this claim holds, and its credential. */
interface Claim {
  id: string;
  runId: string;
  step: ItemStep;
  attempts: number;
  newSecretSealed: string | null;
  credentialId: string;
  agentId: string;
  name: string;
  kind: CredentialKind;
  config: Record<string, unknown>;
  oldSecretSealed: string | null;
  incidentId: number | null;
}

export interface RotationPassReport {
  claimed: number;
  stepsDone: number;
  rotated: number;
  retrying: number;
  failed: number;
  /** The claim was lost (its lease ran out and another worker took the item): that worker goes on. */
  superseded: number;
}

const systemCtx = (db: Db, runId: string): Ctx => ({ db, actor: { type: "system", id: "rotation" }, requestId: `rotation-${runId}`, sourceIp: null });

/**
 * Claims due items with a lease, in one statement: workers side by side skip each other's rows, and
 * an item whose worker died is taken again when its lease runs out. The attempt is counted at claim,
 * so a step that crashes its worker still reaches the failure limit.
 */
async function claimDue(db: Db, policy: RetryPolicy): Promise<Claim[]> {
  const result = await db.execute<{
    id: string;
    run_id: string;
    step: ItemStep;
    attempts: number;
    new_secret_sealed: string | null;
    credential_id: string;
    agent_id: string;
    name: string;
    kind: CredentialKind;
    config: Record<string, unknown>;
    old_secret_sealed: string | null;
    incident_id: string | null;
  }>(sql`
    UPDATE rotation_items i SET lease_until = now() + make_interval(secs => ${policy.leaseMs / 1000}), attempts = i.attempts + 1,
      started_at = coalesce(i.started_at, now())
    FROM credentials c, rotation_runs r
    WHERE c.id = i.credential_id AND r.id = i.run_id AND i.id IN (
      SELECT id FROM rotation_items
      WHERE state IN ('pending', 'retrying') AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
      ORDER BY next_attempt_at, position LIMIT ${CLAIM_BATCH} FOR UPDATE SKIP LOCKED)
    RETURNING i.id, i.run_id, i.step, i.attempts, i.new_secret_sealed, i.old_secret_sealed, c.id AS credential_id, c.agent_id,
      c.name, c.kind, c.config, r.incident_id`);
  return result.rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    step: r.step,
    attempts: r.attempts,
    newSecretSealed: r.new_secret_sealed,
    credentialId: r.credential_id,
    agentId: r.agent_id,
    name: r.name,
    kind: r.kind,
    config: r.config,
    oldSecretSealed: r.old_secret_sealed,
    incidentId: r.incident_id === null ? null : Number(r.incident_id),
  }));
}

const asItemClaim = (c: Claim) => ({ itemId: c.id, step: c.step, attempt: c.attempts });
const mine = (c: Claim) => claimIsMine(asItemClaim(c));

/** A provider's own refusal is already a sentence without secrets; anything else keeps only its kind and message. */
function failureText(err: unknown): string {
  const text = err instanceof AppError || err instanceof WebhookStepError ? err.message : describeError(err);
  return text.length > ERROR_MAX_CHARS ? `${text.slice(0, ERROR_MAX_CHARS)}…` : text;
}

/** Runs one provider step; what it reports goes into the item's next state. */
async function runProviderStep(deps: RotationDeps, c: Claim): Promise<Partial<typeof rotationItems.$inferInsert>> {
  const provider = deps.providers[c.kind];
  const what = `credential "${c.name}"`;
  const oldSecret = c.oldSecretSealed === null ? null : openCredentialSecret(c.oldSecretSealed, what);
  const newSecret = c.newSecretSealed === null ? null : openCredentialSecret(c.newSecretSealed, what);
  const claim = { ...asItemClaim(c), step: c.step as RotationStep };
  const input = { credentialId: c.credentialId, agentId: c.agentId, config: c.config, oldSecret, newSecret, claim };
  const requireNew = (): string => {
    if (newSecret === null) throw new AppError("INTERNAL", `the new secret of ${what} is missing; the create step did not record it`);
    return newSecret;
  };
  switch (c.step as RotationStep) {
    case "revoke_old":
      return { revokedOld: await provider.revokeOld(input) };
    case "create": {
      const { secret } = await provider.create(input);
      return { newSecretSealed: sealCredentialSecret(secret) };
    }
    case "apply":
      await provider.apply({ ...input, newSecret: requireNew() });
      return {};
    case "verify": {
      const { oldRefused } = await provider.verify({ ...input, newSecret: requireNew() });
      if (oldRefused === false) throw new AppError("CONFLICT", `verify: the old secret of ${what} still works`);
      return { oldRefused };
    }
  }
}

/**
 * Extends this claim's lease just before a provider call, and says whether it still holds: a worker
 * that stalled past its lease (and whose item another worker took) must not act on the target.
 * Every provider call times out well inside a lease.
 */
async function renewLease(deps: RotationDeps, c: Claim): Promise<boolean> {
  const [row] = await deps.db
    .update(rotationItems)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${deps.policy.leaseMs / 1000})` })
    .where(claimHeld(asItemClaim(c)))
    .returning({ id: rotationItems.id });
  return row !== undefined;
}

/**
 * The step succeeded: move to the next one, still holding the lease (attempt 1 of the next step).
 * Revoking the old secret takes the agent off the air before anything else is recorded: it is audited now.
 */
async function advance(deps: RotationDeps, c: Claim, changes: Partial<typeof rotationItems.$inferInsert>): Promise<Claim | null> {
  const next = NEXT_STEP[c.step as RotationStep];
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(rotationItems)
      .set({ ...changes, step: next, attempts: 1, lastError: null, leaseUntil: sql`now() + make_interval(secs => ${deps.policy.leaseMs / 1000})` })
      .where(mine(c))
      .returning({ newSecretSealed: rotationItems.newSecretSealed });
    if (!row) return null;
    if (c.step === "revoke_old") {
      await recordAudit(tx, systemCtx(deps.db, c.runId), {
        action: "credential.old_secret_revoked",
        targetType: "credential",
        targetId: c.credentialId,
        after: { rotation_id: c.runId, agent_id: c.agentId, name: c.name, kind: c.kind, revoked: changes.revokedOld ?? null },
      });
    }
    return { ...c, step: next, attempts: 1, newSecretSealed: row.newSecretSealed };
  });
}

/**
 * The last step, in one transaction: the credential's new state (and the secret it now has, so the
 * next rotation can prove it refused; an ingest key keeps only its hash), the item done, the audit row.
 */
async function recordRotated(deps: RotationDeps, c: Claim): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const [item] = await tx
      .update(rotationItems)
      .set({
        state: "rotated",
        finishedAt: sql`now()`,
        leaseUntil: null,
        lastError: null,
        // Kept only while a person still has to see it once.
        newSecretSealed: newSecretIsShownOnce(c.kind) ? c.newSecretSealed : null,
      })
      .where(mine(c))
      .returning({ revokedOld: rotationItems.revokedOld, oldRefused: rotationItems.oldRefused });
    if (!item) return false;
    // The secret it now has, so the next rotation can prove it refused; an ingest key keeps only its hash.
    if (c.kind !== "ingest_key") {
      await storeRotatedSecret(tx, c.credentialId, c.newSecretSealed);
    }
    // Secrets earlier runs made for this credential and nobody has seen are dead now: never offer them.
    await tx
      .update(rotationItems)
      .set({ newSecretSealed: null, supersededByRunId: c.runId })
      .where(and(eq(rotationItems.credentialId, c.credentialId), ne(rotationItems.id, c.id), isNotNull(rotationItems.newSecretSealed)));
    // An earlier run's failure for this credential is dealt with now: audited, and said on its incident.
    const note = `rotated by run ${c.runId}`;
    const resolved = await tx
      .update(rotationItems)
      .set({ resolvedAt: sql`now()`, resolvedBy: "system:rotation", resolutionNote: note })
      .where(and(eq(rotationItems.credentialId, c.credentialId), eq(rotationItems.state, "failed"), isNull(rotationItems.resolvedAt)))
      .returning({ id: rotationItems.id, runId: rotationItems.runId, lastError: rotationItems.lastError });
    for (const earlier of resolved) {
      const detail = { rotation_id: earlier.runId, item_id: earlier.id, credential_id: c.credentialId, name: c.name, error: earlier.lastError, note };
      const ctx = systemCtx(deps.db, c.runId);
      await recordAudit(tx, ctx, {
        action: "credential.rotation_failure_resolved",
        targetType: "credential",
        targetId: c.credentialId,
        reason: note,
        after: detail,
      });
      const [earlierRun] = await tx.select({ incidentId: rotationRuns.incidentId }).from(rotationRuns).where(eq(rotationRuns.id, earlier.runId));
      if (earlierRun?.incidentId != null) {
        await reportRotationToIncident(tx, ctx, earlierRun.incidentId, {
          runId: earlier.runId,
          activity: { kind: "rotation_failure_resolved", summary: `Failed rotation of "${c.name}" resolved: ${note}`, detail },
        });
      }
    }
    await recordAudit(tx, systemCtx(deps.db, c.runId), {
      action: "credential.rotate",
      targetType: "credential",
      targetId: c.credentialId,
      after: { rotation_id: c.runId, agent_id: c.agentId, name: c.name, kind: c.kind, revoked_old: item.revokedOld, old_refused: item.oldRefused },
    });
    return true;
  });
}

/** Refusals that waiting will not change (a config the provider rejects, a role that does not exist, no admin login configured, an endpoint the egress policy refuses). */
function isPermanent(err: unknown): boolean {
  return (err instanceof AppError && (err.code === "VALIDATION" || err.code === "NOT_FOUND")) || (err instanceof WebhookStepError && err.permanent);
}

/** A failed attempt: retried after the back-off, or, at the limit (or at once when retrying cannot help), marked failed and someone told now. */
async function recordFailure(deps: RotationDeps, c: Claim, error: string, permanent: boolean): Promise<"retrying" | "failed" | "superseded"> {
  if (!permanent && c.attempts < deps.policy.maxAttempts) {
    const delayMs = retryDelayMs(c.attempts, deps.policy);
    const [row] = await deps.db
      .update(rotationItems)
      .set({ state: "retrying", lastError: error, leaseUntil: null, nextAttemptAt: sql`now() + make_interval(secs => ${delayMs / 1000})` })
      .where(mine(c))
      .returning({ id: rotationItems.id });
    return row ? "retrying" : "superseded";
  }
  const failed = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(rotationItems)
      .set({ state: "failed", lastError: error, leaseUntil: null, finishedAt: sql`now()` })
      .where(mine(c))
      .returning({ finishedAt: rotationItems.finishedAt, revokedOld: rotationItems.revokedOld });
    if (!row) return false;
    const failure = {
      rotationId: c.runId,
      agentId: c.agentId,
      credentialId: c.credentialId,
      credentialName: c.name,
      kind: c.kind,
      step: c.step,
      attempts: c.attempts,
      error,
      incidentId: c.incidentId,
      failedAt: row.finishedAt ?? new Date(),
    };
    const queued = await enqueueRotationFailure(tx, failure);
    await recordAudit(tx, systemCtx(deps.db, c.runId), {
      action: "credential.rotation_failed",
      targetType: "credential",
      targetId: c.credentialId,
      // revoked_old: whether the old secret is already dead, which tells the responder how urgent the manual rotation is.
      after: {
        rotation_id: c.runId,
        agent_id: c.agentId,
        name: c.name,
        kind: c.kind,
        step: c.step,
        attempts: c.attempts,
        revoked_old: row.revokedOld,
        error,
        notifications_queued: queued,
      },
    });
    return true;
  });
  if (failed) deps.onNotificationsQueued?.();
  return failed ? "failed" : "superseded";
}

/**
 * A claim past the attempt limit: the last permitted attempt ended without an outcome (its worker
 * died, or hung past its lease), and a step that crashes or hangs its worker must end too.
 */
function exhaustedWithoutOutcome(deps: RotationDeps, c: Claim): string | null {
  if (c.attempts <= deps.policy.maxAttempts) return null;
  const leaseS = Math.round(deps.policy.leaseMs / 1000);
  return `the last of ${deps.policy.maxAttempts} attempts at the ${c.step} step never recorded an outcome: the console stopped, or the step hung past its ${leaseS} s lease`;
}

/** Takes one credential as far as it goes now: every step that succeeds is recorded before the next starts. */
async function drive(deps: RotationDeps, claim: Claim, report: RotationPassReport): Promise<void> {
  const exhausted = exhaustedWithoutOutcome(deps, claim);
  if (exhausted) {
    report[await recordFailure(deps, claim, exhausted, true)]++;
    await finishRunIfDone(deps.db, claim.runId);
    return;
  }
  let c: Claim | null = claim;
  while (c) {
    if (!(await renewLease(deps, c))) {
      report.superseded++;
      break;
    }
    let changes: Partial<typeof rotationItems.$inferInsert> | null = null;
    try {
      if (c.step === "record") {
        if (await recordRotated(deps, c)) report.rotated++;
        else report.superseded++;
        break;
      }
      changes = await runProviderStep(deps, c);
    } catch (err) {
      // The step is recorded beside the error: a provider's own "apply: " prefix would say it twice.
      report[await recordFailure(deps, c, failureText(err).replace(new RegExp(`^${c.step}: `), ""), isPermanent(err))]++;
      break;
    }
    report.stepsDone++;
    c = await advance(deps, c, changes);
    if (!c) report.superseded++;
  }
  await finishRunIfDone(deps.db, claim.runId);
}

/** Runs whose every credential ended but which were not finished (the console stopped between the two commits). */
async function finishLeftoverRuns(db: Db): Promise<void> {
  const result = await db.execute<{ id: string }>(sql`
    SELECT r.id FROM rotation_runs r WHERE r.status = 'running'
      AND NOT EXISTS (SELECT 1 FROM rotation_items i WHERE i.run_id = r.id AND i.state IN ('pending', 'retrying'))`);
  for (const { id } of result.rows) await finishRunIfDone(db, id);
}

/** One pass: claim what is due and drive each claimed credential as far as it goes; then finish any run left unfinished. */
export async function runDueRotationSteps(deps: RotationDeps): Promise<RotationPassReport> {
  const claimed = await claimDue(deps.db, deps.policy);
  const report: RotationPassReport = { claimed: claimed.length, stepsDone: 0, rotated: 0, retrying: 0, failed: 0, superseded: 0 };
  await Promise.all(
    claimed.map(async (c) => {
      try {
        await drive(deps, c, report);
      } catch (err) {
        // An outcome could not be written: the lease runs out and the step is taken again (each step is safe to repeat).
        console.error(`[rotation] could not record a step of credential ${c.credentialId}; it is taken again when its lease runs out: ${describeError(err)}`);
      }
    }),
  );
  await finishLeftoverRuns(deps.db);
  return report;
}
