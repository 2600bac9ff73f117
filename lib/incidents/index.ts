export { openIncident } from "./open-incident";
export { FORENSICS_WITHHELD, readIncident, withholdForensics } from "./read-incident";
export { type RotationActivityKind, type RotationReport, reportRotationToIncident } from "./report-rotation";
export { completeStep, runStep, skipStep } from "./run-step";
export type * from "./types";
export {
  attachAlertsToIncident,
  commentOnIncident,
  pageEscalationRole,
  savePostIncidentNotes,
  setIncidentStatus,
  takeIncidentOwnership,
} from "./update-incident";
