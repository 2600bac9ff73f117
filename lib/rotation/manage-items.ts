import { and, eq, isNull } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { getRotationRun } from "@/db/queries/rotations";
import { credentials, rotationItems, rotationRuns } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { newSecretIsShownOnce } from "@/lib/credentials/describe";
import { openCredentialSecret } from "@/lib/credentials/secrets";
import { AppError } from "@/lib/errors";
import { reportRotationToIncident } from "@/lib/incidents/report-rotation";
import type { RevealedSecret, RotationRunView } from "@/lib/rotation/views";
import { resolveItemInput, rotationIdSchema, rotationItemIdSchema } from "./schemas";

async function lockItem(tx: Tx, runIdRaw: unknown, itemIdRaw: unknown) {
  const runId = parseOrThrow(rotationIdSchema, runIdRaw);
  const itemId = parseOrThrow(rotationItemIdSchema, itemIdRaw);
  const [row] = await tx
    .select({ item: rotationItems, credential: credentials, incidentId: rotationRuns.incidentId })
    .from(rotationItems)
    .innerJoin(credentials, eq(credentials.id, rotationItems.credentialId))
    .innerJoin(rotationRuns, eq(rotationRuns.id, rotationItems.runId))
    .where(and(eq(rotationItems.id, itemId), eq(rotationItems.runId, runId)))
    .for("update", { of: rotationItems });
  if (!row) throw new AppError("NOT_FOUND", `Rotation ${runId} has no item ${itemId}`);
  return row;
}

/**
 * The new secret, to the responder, once (responder+): for the agent's deployment. After this the
 * console no longer holds it for showing (a rotated PostgreSQL or Redis secret stays sealed on the
 * credential, only to prove it refused at the next rotation). Audited without the secret.
 */
export async function revealNewSecret({ ctx, input }: { ctx: Ctx; input: { runId: unknown; itemId: unknown } }): Promise<RevealedSecret> {
  authorize(ctx, "responder", "see rotated secrets");
  return ctx.db.transaction(async (tx) => {
    const { item, credential } = await lockItem(tx, input.runId, input.itemId);
    const what = `credential "${credential.name}"`;
    if (!newSecretIsShownOnce(credential.kind)) throw new AppError("CONFLICT", `The secret manager delivers ${what}'s new secret; the console never sees it`);
    if (item.supersededByRunId) {
      throw new AppError(
        "CONFLICT",
        `${what} was rotated again by run ${item.supersededByRunId} before this secret was shown: it no longer works; reveal that run's secret`,
        {
          details: { superseded_by: item.supersededByRunId },
        },
      );
    }
    if (item.revealedAt)
      throw new AppError(
        "CONFLICT",
        `The new secret of ${what} was already shown to ${item.revealedBy ?? "someone"} at ${item.revealedAt.toISOString()}; it is shown once`,
      );
    const appliedButFailed = item.state === "failed" && item.step !== "revoke_old" && item.step !== "create";
    if ((item.state !== "rotated" && !appliedButFailed) || item.newSecretSealed === null) {
      throw new AppError("CONFLICT", `${what} has no new secret to show yet (state ${item.state}, step ${item.step})`);
    }
    const secret = openCredentialSecret(item.newSecretSealed, what);
    const who = actorId(ctx.actor);
    await tx.update(rotationItems).set({ revealedAt: new Date(), revealedBy: who, newSecretSealed: null }).where(eq(rotationItems.id, item.id));
    await recordAudit(tx, ctx, {
      action: "credential.secret_revealed",
      targetType: "credential",
      targetId: credential.id,
      after: { rotation_id: item.runId, item_id: item.id, name: credential.name, kind: credential.kind, state: item.state },
    });
    return { credential_id: credential.id, name: credential.name, secret };
  });
}

/** Marks a failed credential dealt with (responder+), with a note of how: it leaves the top of the incident page. */
export async function resolveFailedItem({ ctx, input }: { ctx: Ctx; input: { runId: unknown; itemId: unknown; body: unknown } }): Promise<RotationRunView> {
  authorize(ctx, "responder", "resolve failed rotations");
  const { note } = parseOrThrow(resolveItemInput, input.body ?? {});
  const runId = await ctx.db.transaction(async (tx) => {
    const { item, credential, incidentId } = await lockItem(tx, input.runId, input.itemId);
    if (item.state !== "failed")
      throw new AppError("CONFLICT", `Credential "${credential.name}" is ${item.state} in this rotation; only a failed one is resolved by hand`);
    const [done] = await tx
      .update(rotationItems)
      .set({ resolvedAt: new Date(), resolvedBy: actorId(ctx.actor), resolutionNote: note })
      .where(and(eq(rotationItems.id, item.id), isNull(rotationItems.resolvedAt)))
      .returning({ id: rotationItems.id });
    if (!done) throw new AppError("CONFLICT", `The failure of credential "${credential.name}" was already resolved by ${item.resolvedBy ?? "someone"}`);
    const detail = { rotation_id: item.runId, item_id: item.id, credential_id: credential.id, name: credential.name, error: item.lastError, note };
    await recordAudit(tx, ctx, {
      action: "credential.rotation_failure_resolved",
      targetType: "credential",
      targetId: credential.id,
      reason: note,
      after: detail,
    });
    if (incidentId !== null) {
      await reportRotationToIncident(tx, ctx, incidentId, {
        runId: item.runId,
        activity: { kind: "rotation_failure_resolved", summary: `Failed rotation of "${credential.name}" resolved: ${note}`, detail },
      });
    }
    return item.runId;
  });
  const view = await getRotationRun(ctx.db, runId);
  if (!view) throw new AppError("NOT_FOUND", `No rotation ${runId}`);
  return view;
}
