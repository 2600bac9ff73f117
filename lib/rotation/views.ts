import type { rotationItems, rotationRuns } from "@/db/schema";
import type { CredentialKind } from "@/lib/credentials/providers/provider";

/** `running` while a worker holds the step; otherwise the stored state. */
export type ItemDisplayState = "pending" | "running" | "retrying" | "rotated" | "failed";

export interface RotationItemView {
  id: string;
  credential_id: string;
  credential_name: string;
  kind: CredentialKind;
  kind_label: string;
  agent_id: string;
  location: string;
  step: (typeof rotationItems.$inferSelect)["step"];
  state: ItemDisplayState;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  revoked_old: boolean | null;
  old_refused: boolean | null;
  /** How the new secret reaches the agent: shown once to a responder, or delivered by the secret manager. */
  new_secret: "not_yet" | "ready_to_reveal" | "revealed" | "delivered_by_provider" | "superseded" | "none";
  /** The later run that rotated the credential again before this run's new secret was shown. */
  superseded_by: string | null;
  revealed_at: string | null;
  revealed_by: string | null;
  started_at: string | null;
  finished_at: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution_note: string | null;
  /** Ingest keys: requests refused since this rotation because they carried a key it revoked (none should come). */
  old_key_use: { attempts: number; last_at: string | null } | null;
}

export interface RotationRunView {
  id: string;
  status: (typeof rotationRuns.$inferSelect)["status"];
  agent_ids: string[];
  incident_id: number | null;
  requested_by: string;
  created_at: string;
  finished_at: string | null;
  summary: Record<string, unknown> | null;
  counts: { total: number; rotated: number; failed: number; unresolved_failures: number };
  items: RotationItemView[];
}

/** The answer to starting a rotation: the run, or the one already going over the same credentials. */
export interface StartedRotation {
  id: string;
  /** True when every credential asked for was already being rotated: this is that run. */
  existing: boolean;
}

/** A rotation item's new secret, revealed to a responder once. */
export interface RevealedSecret {
  credential_id: string;
  name: string;
  secret: string;
}
