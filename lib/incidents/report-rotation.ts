import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { incidentSteps } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { recordIncidentActivity } from "./record";

export type RotationActivityKind = "rotation_started" | "rotation_adopted" | "rotation_succeeded" | "rotation_failed" | "rotation_failure_resolved";

/** What a credential rotation working for an incident tells it; each part is optional. */
export interface RotationReport {
  runId: string;
  /** A line on the incident's timeline, with its audit row. */
  activity?: { kind: RotationActivityKind; summary: string; detail: Record<string, unknown> };
  /** The runbook step (running) that asked for the run: it names the run in its output, and the run completes it. */
  askedByStep?: string;
  /** The run ended: the running step that names it is done, or failed with `error`. */
  finished?: { succeeded: boolean; output: Record<string, unknown>; error: string | null };
}

/**
 * How rotation tells an incident what its run did, in the caller's transaction: the incidents
 * domain alone writes the incident's timeline and its runbook steps.
 */
export async function reportRotationToIncident(tx: Tx, ctx: Ctx, incidentId: number, report: RotationReport): Promise<void> {
  if (report.activity) await recordIncidentActivity(tx, ctx, incidentId, report.activity);
  if (report.askedByStep !== undefined) {
    // Named in the run's own transaction: a run that finishes at once still finds the step to complete.
    await tx
      .update(incidentSteps)
      .set({ output: { rotation_id: report.runId, link: `/rotations/${report.runId}` } })
      .where(and(eq(incidentSteps.incidentId, incidentId), eq(incidentSteps.stepId, report.askedByStep), eq(incidentSteps.state, "running")));
  }
  if (report.finished) {
    const { succeeded, output, error } = report.finished;
    await tx
      .update(incidentSteps)
      .set({ state: succeeded ? "done" : "failed", finishedAt: sql`now()`, output, error })
      .where(and(eq(incidentSteps.incidentId, incidentId), eq(incidentSteps.state, "running"), sql`${incidentSteps.output}->>'rotation_id' = ${report.runId}`));
  }
}
