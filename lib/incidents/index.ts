export { openIncident } from "./open-incident";
export { FORENSICS_WITHHELD, readIncident, withholdForensics } from "./read-incident";
export { reportRotationToIncident, type RotationActivityKind, type RotationReport } from "./report-rotation";
export { completeStep, runStep, skipStep } from "./run-step";
export { commentOnIncident, pageEscalationRole, savePostIncidentNotes, setIncidentStatus, takeIncidentOwnership } from "./update-incident";
export type * from "./types";
