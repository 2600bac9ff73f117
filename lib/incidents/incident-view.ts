import { stepControls } from "./step-controls";
import { readStepOutput } from "./step-output";
import type { IncidentStatus, IncidentView, StepView, StoredIncident, StoredStepView } from "./types";

const STATUS_ORDER: readonly IncidentStatus[] = ["open", "contained", "eradicated", "recovered", "closed"];

/**
 * Where the reader may move the status next, as setIncidentStatus allows it: responders forward,
 * admins also close and reopen. Moving back past one step is left to the API.
 */
export function statusChoices(status: IncidentStatus, reader: { mayWork: boolean; isAdmin: boolean }): IncidentStatus[] {
  if (!reader.mayWork) return [];
  if (status === "closed") return reader.isAdmin ? ["open"] : [];
  return STATUS_ORDER.slice(STATUS_ORDER.indexOf(status) + 1).filter((s) => s !== "closed" || reader.isAdmin);
}

/** A stored step as a reader sees it: its output typed, and what the reader may do with it now. */
export function stepView(step: StoredStepView, reader: { mayWork: boolean; incidentClosed: boolean }, now: Date): StepView {
  const output_view = readStepOutput(step.action, step.output);
  const controls = stepControls(
    {
      kind: step.kind,
      state: step.state,
      startedAt: step.started_at === null ? null : new Date(step.started_at),
      // The same test as the claim in run-step.ts: a running step with any output is waiting on work it started.
      namesItsWork: step.output !== null,
    },
    reader,
    now,
  );
  return { ...step, output_view, ...controls };
}

/** The incident for a reader who may, or may not, work its runbook (forensics are withheld separately, by readIncident). */
export function incidentView(incident: StoredIncident, rights: { mayWork: boolean; isAdmin: boolean }, now = new Date()): IncidentView {
  const reader = { mayWork: rights.mayWork, incidentClosed: incident.status === "closed" };
  return {
    ...incident,
    status_choices: statusChoices(incident.status, rights),
    phases: incident.phases.map((p) => ({ ...p, steps: p.steps.map((s) => stepView(s, reader, now)) })),
  };
}
