import type { StepKind, StepState } from "./types";

/** A step left "running" this long with no work of its own named (the process died mid-run) may be run again. */
export const STALE_RUN_MS = 10 * 60_000;

export interface StepFacts {
  kind: StepKind;
  state: StepState;
  startedAt: Date | null;
  /** Whether the running step's output names work it started (a rotation run), which ends it however long it takes. */
  namesItsWork: boolean;
}

/** What a reader may do with a step now: the rules run-step.ts enforces, said once for the page. */
export interface StepControls {
  /** Run or Retry (automated), Mark done (a person's step). */
  runnable: boolean;
  /** Why not, when not runnable. */
  blocked_reason: string | null;
  /** The step ran before and failed, or went silent: running it again is a retry. */
  retry: boolean;
  /** An automated step that failed may be finished by hand with a note. */
  finish_by_hand: boolean;
  skippable: boolean;
}

export function isStaleRun(step: Pick<StepFacts, "state" | "startedAt" | "namesItsWork">, now: Date): boolean {
  return step.state === "running" && !step.namesItsWork && step.startedAt !== null && now.getTime() - step.startedAt.getTime() > STALE_RUN_MS;
}

const minutes = (ms: number) => `${Math.round(ms / 60_000)} minutes`;

function blockedBy(step: StepFacts, stale: boolean): string | null {
  switch (step.state) {
    case "done":
      return "The step is done";
    case "skipped":
      return "The step was skipped";
    case "running":
      if (stale) return null;
      return step.namesItsWork
        ? "The step is running: it ends with the work it started"
        : `The step is running: a run silent for ${minutes(STALE_RUN_MS)} may be run again`;
    case "pending":
    case "failed":
      return null;
  }
}

export function stepControls(step: StepFacts, reader: { mayWork: boolean; incidentClosed: boolean }, now: Date): StepControls {
  const stale = isStaleRun(step, now);
  const blocked =
    blockedBy(step, stale) ??
    (reader.incidentClosed ? "The incident is closed: reopen it to work its runbook" : !reader.mayWork ? "Working the runbook needs the responder role" : null);
  const open = blocked === null;
  return {
    runnable: open,
    blocked_reason: blocked,
    retry: open && step.kind === "automated" && (step.state === "failed" || stale),
    finish_by_hand: open && step.kind === "automated" && step.state === "failed",
    skippable: open && (step.state === "pending" || step.state === "failed"),
  };
}
