import type { CredentialKind } from "./providers/provider";

/** A credential as the API and the console show it: never its secret. */
export interface CredentialView {
  id: string;
  agent_id: string;
  name: string;
  kind: CredentialKind;
  kind_label: string;
  provider: string;
  location: string;
  config: Record<string, unknown>;
  /** Whether the console holds the secret in use, and so can prove it refused after the next rotation. */
  secret_known: boolean;
  /** From its rotation items: the latest run's outcome for it, or rotating while a run is live. */
  rotation_state: CredentialRotationState;
  last_rotated_at: string | null;
  /** The run rotating it now, if any. */
  live_rotation_id: string | null;
  created_by: string;
  created_at: string;
  /** Ingest keys only: requests refused because they carried one of the agent's revoked keys (none should come). */
  revoked_key_use: { attempts: number; last_at: string | null } | null;
}

export type CredentialRotationState = "never_rotated" | "rotating" | "rotated" | "failed";

/** The answer to adding a credential: an issued HMAC secret or a webhook's signing key is in it this once. */
export interface CreatedCredential {
  credential: CredentialView;
  /** hmac_secret: the signing secret the console issued. Shown this once. */
  secret?: string;
  /** webhook: the hex key the endpoint verifies the console's signatures with. Shown this once. */
  signing_key?: string;
}
