export { openIncident } from "./open-incident";
export { completeStep, runStep, skipStep } from "./run-step";
export { commentOnIncident, pageEscalationRole, savePostIncidentNotes, setIncidentStatus, takeIncidentOwnership } from "./update-incident";
export type * from "./types";
