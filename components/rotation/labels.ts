import type { RotationItemView, RotationRunView } from "@/lib/rotation/views";

export const STEP_LABEL: Record<RotationItemView["step"], string> = {
  revoke_old: "revoke old",
  create: "create",
  apply: "apply",
  verify: "verify",
  record: "record",
};

export const RUN_STATUS_CLASS: Record<RotationRunView["status"], string> = { running: "state-running", succeeded: "state-done", failed: "state-failed" };

export const ITEM_STATE_CLASS: Record<RotationItemView["state"], string> = {
  pending: "state-pending",
  running: "state-running",
  retrying: "sev-medium",
  rotated: "state-done",
  failed: "state-failed",
};

/** Failed and nobody has dealt with it yet: the old secret may still work. */
export const unresolved = (item: RotationItemView) => item.state === "failed" && item.resolved_at === null;
