import { z } from "zod";
import { agentIdSchema } from "@/lib/agents/schemas";
import { parseOrThrow, parseQuery } from "@/lib/auth/authorize";
import { hmacSecretConfigSchema } from "./providers/hmac-secret";
import { ingestKeyConfigSchema } from "./providers/ingest-key";
import { postgresRoleConfigSchema } from "./providers/postgres-role";
import { CREDENTIAL_KINDS, type CredentialKind } from "./providers/provider";
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
  return parseOrThrow(
    z.object({ config: CONFIG_SCHEMAS[kind] }),
    { config },
  ).config;
}

const listQuery = z.strictObject({ agent_id: agentIdSchema.optional() });
export function parseCredentialListQuery(params: URLSearchParams): z.infer<typeof listQuery> {
  return parseQuery(listQuery, params);
}
