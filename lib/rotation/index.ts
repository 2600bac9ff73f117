export { finishRunIfDone, type RotationSummary, summaryLine } from "./finish-run";
export { resolveFailedItem, revealNewSecret } from "./manage-items";
export { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from "./policy";
export { kickRotations, runRotations } from "./run-rotations";
export { startRotation } from "./start-rotation";
export type { RevealedSecret, StartedRotation } from "./views";
export { type RotationDeps, type RotationPassReport, runDueRotationSteps } from "./worker";
