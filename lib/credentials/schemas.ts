import { z } from "zod";
import { ROTATION_RUN_STATUSES } from "@/db/schema/credentials";
import { agentIdSchema } from "@/lib/agents/schemas";
import { parseOrThrow, parseQuery } from "@/lib/auth/authorize";
import { isoTime, nullableTime } from "@/lib/schema-kit";
import { hmacSecretConfigSchema } from "./providers/hmac-secret";
import { ingestKeyConfigSchema } from "./providers/ingest-key";
import { postgresRoleConfigSchema } from "./providers/postgres-role";
import { CREDENTIAL_KINDS, type CredentialKind, ROTATION_ITEM_STEPS } from "./providers/provider";
import { redisAclConfigSchema } from "./providers/redis-acl";
import { webhookConfigSchema } from "./providers/webhook";

/** Each kind's non-secret settings, as admins register them. */
export const CONFIG_SCHEMAS: Record<CredentialKind, z.ZodType<Record<string, unknown>>> = {
  ingest_key: ingestKeyConfigSchema,
  hmac_secret: hmacSecretConfigSchema,
  postgres_role: postgresRoleConfigSchema,
  redis_acl_user: redisAclConfigSchema,
  webhook: webhookConfigSchema,
};

export const credentialIdSchema = z.uuid({ message: "credential id: expected a UUID" });
const nameSchema = z.string().trim().min(1, "name: give the credential a name").max(120, "name: at most 120 characters");
/** The secret in use today, for PostgreSQL roles and Redis users: lets the first rotation prove it is refused afterwards. */
const currentSecretSchema = z.string().min(1).max(1024, "current_secret: at most 1024 characters");

export const createCredentialInput = z.strictObject({
  agent_id: agentIdSchema,
  name: nameSchema,
  kind: z.enum(CREDENTIAL_KINDS, { message: `kind: one of ${CREDENTIAL_KINDS.join(", ")}` }),
  config: z.record(z.string(), z.unknown()).default({}),
  current_secret: currentSecretSchema.optional(),
});

export const updateCredentialInput = z.strictObject({
  name: nameSchema.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  current_secret: currentSecretSchema.optional(),
});

export const retireCredentialInput = z.strictObject({ reason: z.string().trim().min(1, "reason: say why it is removed").max(1000) });

/** A kind's config, checked by its provider's schema; errors name `config.<field>`. */
export function parseCredentialConfig(kind: CredentialKind, config: unknown): Record<string, unknown> {
  return parseOrThrow(z.object({ config: CONFIG_SCHEMAS[kind] }), { config }).config;
}

export const credentialListQuery = z.strictObject({ agent_id: agentIdSchema.optional() });
export function parseCredentialListQuery(params: URLSearchParams): z.infer<typeof credentialListQuery> {
  return parseQuery(credentialListQuery, params);
}

// What the API answers. Never a secret, except where an answer says it holds one shown this once.

const keyUse = z.object({ attempts: z.number().int(), last_at: nullableTime }).nullable();

export const credentialViewSchema = z
  .object({
    id: z.uuid(),
    agent_id: z.string(),
    name: z.string(),
    kind: z.enum(CREDENTIAL_KINDS),
    kind_label: z.string(),
    provider: z.string(),
    location: z.string(),
    config: z.record(z.string(), z.unknown()),
    secret_known: z.boolean().meta({ description: "Whether the console holds the secret in use, and so can prove it refused after the next rotation" }),
    rotation_state: z.enum(["never_rotated", "rotating", "rotated", "failed"]),
    last_rotated_at: nullableTime,
    live_rotation_id: z.uuid().nullable(),
    created_by: z.string(),
    created_at: isoTime,
    revoked_key_use: keyUse.meta({ description: "Ingest keys: requests refused for carrying one of the agent's revoked keys" }),
  })
  .meta({ id: "Credential" });

export const createdCredentialSchema = z.object({
  credential: credentialViewSchema,
  secret: z.string().optional().meta({ description: "hmac_secret: the secret the console issued, shown this once" }),
  signing_key: z.string().optional().meta({ description: "webhook: the hex key the endpoint verifies signatures with, shown this once" }),
});

export const rotationItemViewSchema = z
  .object({
    id: z.uuid(),
    credential_id: z.uuid(),
    credential_name: z.string(),
    kind: z.enum(CREDENTIAL_KINDS),
    kind_label: z.string(),
    agent_id: z.string(),
    location: z.string(),
    step: z.enum(ROTATION_ITEM_STEPS),
    state: z.enum(["pending", "running", "retrying", "rotated", "failed"]),
    attempts: z.number().int(),
    next_attempt_at: nullableTime,
    last_error: z.string().nullable(),
    revoked_old: z.boolean().nullable(),
    old_refused: z.boolean().nullable(),
    new_secret: z
      .enum(["not_yet", "ready_to_reveal", "revealed", "delivered_by_provider", "superseded", "none"])
      .meta({ description: "How the new secret reaches the agent: shown once to a responder, or delivered by the secret manager" }),
    superseded_by: z.uuid().nullable(),
    revealed_at: nullableTime,
    revealed_by: z.string().nullable(),
    started_at: nullableTime,
    finished_at: nullableTime,
    resolved_at: nullableTime,
    resolved_by: z.string().nullable(),
    resolution_note: z.string().nullable(),
    old_key_use: keyUse,
  })
  .meta({ id: "RotationItem" });

export const rotationRunViewSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(ROTATION_RUN_STATUSES),
    agent_ids: z.array(z.string()),
    incident_id: z.number().int().nullable(),
    requested_by: z.string(),
    created_at: isoTime,
    finished_at: nullableTime,
    summary: z.record(z.string(), z.unknown()).nullable(),
    counts: z.object({ total: z.number().int(), rotated: z.number().int(), failed: z.number().int(), unresolved_failures: z.number().int() }),
    items: z.array(rotationItemViewSchema),
  })
  .meta({ id: "RotationRun" });

export const rotationFailureSchema = rotationItemViewSchema.extend({ rotation_id: z.uuid() });
