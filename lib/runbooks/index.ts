export { isOverdue, MAX_TIMEOUT_SECONDS, parseDuration } from "./duration";
export { fillPlaceholders, PLACEHOLDERS, type Placeholder, type PlaceholderValues } from "./fill-placeholders";
export {
  formatRunbookError,
  KNOWN_PHASES,
  MAX_RUNBOOK_BYTES,
  MAX_RUNBOOK_STEPS,
  parseRunbook,
  type RunbookDefinition,
  type RunbookError,
  type RunbookPhase,
  type RunbookStep,
} from "./parse-runbook";
export { AGENT_COMPROMISE_RUNBOOK, DATA_EXFILTRATION_RUNBOOK, SHIPPED_RUNBOOKS } from "./shipped";
export { type AutomatedAction, type AutomatedActionName, classifyStep, type StepAction } from "./step-action";
