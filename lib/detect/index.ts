export { type Baseline, baselineSchema } from "./baseline";
export { issueCanary } from "./issue-canary";
export { learnBaseline, refreshLearnedBaselines } from "./learn-baseline";
export { retireCanary } from "./retire-canary";
export { setBaseline } from "./set-baseline";
export { ALERT_TYPES, type AlertType, type OpenedAlert, SEVERITIES, type Severity } from "./types";
export { acknowledgeAlert, resolveAlert } from "./update-alert";
