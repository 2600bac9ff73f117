import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { credentials, rotationItems, rotationRuns } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { reportRotationToIncident } from "@/lib/incidents/report-rotation";

export interface RotationSummary {
  rotated: { credential_id: string; name: string; kind: string; agent_id: string; old_refused: boolean | null }[];
  failed: { credential_id: string; name: string; kind: string; agent_id: string; step: string; attempts: number; error: string | null }[];
}

/** "2 rotated, 1 failed: "db login" at apply (why)". */
export function summaryLine(s: RotationSummary): string {
  const head = `${s.rotated.length} rotated, ${s.failed.length} failed`;
  if (s.failed.length === 0) return head;
  return `${head}: ${s.failed.map((f) => `"${f.name}" at ${f.step} (${f.error ?? "no reason recorded"})`).join("; ")}`;
}

/**
 * When the run's last credential is done (rotated or failed), in one transaction: the run's outcome
 * and summary, its audit row and, for a run an incident started, the summary on the incident and its
 * runbook step done (or failed, with each failure and why). Safe to call any number of times.
 */
export async function finishRunIfDone(db: Db, runId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [run] = await tx
      .select()
      .from(rotationRuns)
      .where(and(eq(rotationRuns.id, runId), eq(rotationRuns.status, "running")))
      .for("update");
    if (!run) return false;
    const items = await tx
      .select({
        credentialId: rotationItems.credentialId,
        state: rotationItems.state,
        step: rotationItems.step,
        attempts: rotationItems.attempts,
        lastError: rotationItems.lastError,
        oldRefused: rotationItems.oldRefused,
        name: credentials.name,
        kind: credentials.kind,
        agentId: credentials.agentId,
      })
      .from(rotationItems)
      .innerJoin(credentials, eq(credentials.id, rotationItems.credentialId))
      .where(eq(rotationItems.runId, runId))
      .orderBy(asc(rotationItems.position));
    if (items.some((i) => i.state !== "rotated" && i.state !== "failed")) return false;

    const summary: RotationSummary = {
      rotated: items
        .filter((i) => i.state === "rotated")
        .map((i) => ({ credential_id: i.credentialId, name: i.name, kind: i.kind, agent_id: i.agentId, old_refused: i.oldRefused })),
      failed: items
        .filter((i) => i.state === "failed")
        .map((i) => ({
          credential_id: i.credentialId,
          name: i.name,
          kind: i.kind,
          agent_id: i.agentId,
          step: i.step,
          attempts: i.attempts,
          error: i.lastError,
        })),
    };
    const status = summary.failed.length === 0 ? "succeeded" : "failed";
    await tx
      .update(rotationRuns)
      .set({ status, finishedAt: sql`now()`, summary: { ...summary } })
      .where(eq(rotationRuns.id, runId));

    const ctx: Ctx = { db, actor: { type: "system", id: "rotation" }, requestId: `rotation-${runId}`, sourceIp: null };
    await recordAudit(tx, ctx, {
      action: "rotation.finish",
      targetType: "rotation",
      targetId: runId,
      after: { status, incident_id: run.incidentId, ...summary },
    });
    if (run.incidentId !== null) {
      const line = summaryLine(summary);
      // The runbook step that started (or joined) this run names it in its output: it ends with the run.
      await reportRotationToIncident(tx, ctx, run.incidentId, {
        runId,
        activity: {
          kind: status === "succeeded" ? "rotation_succeeded" : "rotation_failed",
          summary: `Credential rotation finished: ${line}`,
          detail: { rotation_id: runId, ...summary },
        },
        finished: {
          succeeded: status === "succeeded",
          output: { rotation_id: runId, link: `/rotations/${runId}`, ...summary },
          error: status === "succeeded" ? null : `Rotation finished with ${line}`,
        },
      });
    }
    return true;
  });
}
