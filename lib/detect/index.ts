export { baselineSchema, type Baseline } from "./baseline";
export { issueCanary } from "./issue-canary";
export { learnBaseline, refreshLearnedBaselines } from "./learn-baseline";
export { retireCanary } from "./retire-canary";
export { setBaseline } from "./set-baseline";
export { acknowledgeAlert, resolveAlert } from "./update-alert";
export { ALERT_TYPES, SEVERITIES, type AlertType, type OpenedAlert, type Severity } from "./types";
