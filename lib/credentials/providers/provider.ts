import type { z } from "zod";

export const CREDENTIAL_KINDS = ["ingest_key", "hmac_secret", "postgres_role", "redis_acl_user", "webhook"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/**
 * The steps of one credential's rotation, in order. The workflow persists the outcome of each
 * before starting the next, so a console that restarts resumes at the first step not recorded.
 */
export const ROTATION_STEPS = ["revoke_old", "create", "apply", "verify"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];
/** The steps a rotation item goes through: the provider's, then `record`, the console's own (new state and secret in one transaction). */
export const ROTATION_ITEM_STEPS = [...ROTATION_STEPS, "record"] as const;

/** A worker's hold on one step of one rotation item: the attempt it claimed, under a lease. */
export interface RotationClaim {
  itemId: string;
  step: RotationStep;
  attempt: number;
}

/** What a provider is handed for one credential. Secrets arrive unsealed and must never be logged. */
export interface RotationInput<Config> {
  credentialId: string;
  agentId: string;
  config: Config;
  /** The secret in use before this rotation, when the console knows it (null otherwise). */
  oldSecret: string | null;
  /** The new secret, once `create` has produced it (null before). */
  newSecret: string | null;
  /**
   * The worker's claim, when a rotation run calls. A provider that writes the console's own database
   * writes under it (`underClaim`), so a worker that stalled past its lease cannot undo what the
   * worker that took over has done since.
   */
  claim?: RotationClaim;
}

/**
 * One kind of credential the console can rotate. Each step must be safe to run again after a crash
 * that happened before its outcome was recorded (e.g. `apply` sets the same password again).
 * Steps throw to fail; the message says what went wrong without any secret in it.
 */
export interface CredentialProvider<Config> {
  kind: CredentialKind;
  /** The credential's non-secret settings as admins register them (role name, host, user, URL…). */
  configSchema: z.ZodType<Config>;
  /** Revoke or disable the old secret where the provider allows it; false when it cannot (then `apply` replaces it). */
  revokeOld(input: RotationInput<Config>): Promise<boolean>;
  /** Produces the new secret (generated here or by the provider's system). */
  create(input: RotationInput<Config>): Promise<{ secret: string }>;
  /** Puts the new secret in place in the target system. */
  apply(input: RotationInput<Config> & { newSecret: string }): Promise<void>;
  /** Proves the new secret works and, when the old one is known, that it is refused. */
  verify(input: RotationInput<Config> & { newSecret: string }): Promise<{ newWorks: true; oldRefused: boolean | null }>;
}
