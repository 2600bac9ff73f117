export { incidentView } from "./incident-view";
export { openIncident } from "./open-incident";
export { FORENSICS_WITHHELD, readIncident, withholdForensics } from "./read-incident";
export { type RotationActivityKind, type RotationReport, reportRotationToIncident } from "./report-rotation";
export { completeStep, runStep, skipStep } from "./run-step";
export { isStaleRun, STALE_RUN_MS, stepControls } from "./step-controls";
export { readStepOutput, stepOutputSchema } from "./step-output";
export type * from "./types";
export {
  attachAlertsToIncident,
  commentOnIncident,
  pageEscalationRole,
  savePostIncidentNotes,
  setIncidentStatus,
  takeIncidentOwnership,
} from "./update-incident";
