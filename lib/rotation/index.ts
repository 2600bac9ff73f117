export { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from "./policy";
export { startRotation, type StartedRotation } from "./start-rotation";
export { runDueRotationSteps, type RotationDeps, type RotationPassReport } from "./worker";
export { finishRunIfDone, summaryLine, type RotationSummary } from "./finish-run";
export { resolveFailedItem, revealNewSecret } from "./manage-items";
export { kickRotations, runRotations } from "./run-rotations";
