import type { Db } from "@/db/client";
import type { EgressPolicy } from "@/lib/egress";
import { AppError } from "@/lib/errors";
import { webhookSigningKey } from "../secrets";
import { hmacSecretProvider } from "./hmac-secret";
import { ingestKeyProvider } from "./ingest-key";
import { postgresRoleProvider } from "./postgres-role";
import type { CredentialKind, CredentialProvider } from "./provider";
import { redisAclProvider } from "./redis-acl";
import { webhookProvider } from "./webhook";

export { CREDENTIAL_KINDS, type CredentialKind, type CredentialProvider, ROTATION_STEPS, type RotationStep } from "./provider";
export { WEBHOOK_STEPS, webhookConfigSchema } from "./webhook";

export type AnyProvider = CredentialProvider<unknown>;
export type ProviderSet = Record<CredentialKind, AnyProvider>;

/** The console's own privileged logins, from configuration: never from a request. */
export interface ProviderSettings {
  postgresAdminUrl: string | null;
  redisAdminUrl: string | null;
  /** Where webhook credentials' endpoints may be; the console's SOC_EGRESS_ALLOW_CIDRS policy when not given. */
  egress?: EgressPolicy;
}

/** A provider whose admin login is not configured: every step fails saying which setting is missing. */
function unconfigured<C>(provider: CredentialProvider<C>, setting: string): CredentialProvider<C> {
  const refuse = (): never => {
    // VALIDATION: a configuration problem of the console, which retrying will not fix.
    throw new AppError("VALIDATION", `the console has no admin login for ${provider.kind} credentials: set ${setting} and restart the console`);
  };
  return { ...provider, revokeOld: refuse, create: refuse, apply: refuse, verify: refuse };
}

/** One provider per credential kind; adding a kind is one file in this folder and a line here. */
export function credentialProviders(db: Db, settings: ProviderSettings): ProviderSet {
  const postgres = postgresRoleProvider({ connectionString: settings.postgresAdminUrl ?? "" });
  const redis = redisAclProvider({ url: settings.redisAdminUrl ?? "" });
  const providers = {
    ingest_key: ingestKeyProvider(db),
    hmac_secret: hmacSecretProvider(db),
    postgres_role: settings.postgresAdminUrl ? postgres : unconfigured(postgres, "SOC_ROTATION_PG_ADMIN_URL"),
    redis_acl_user: settings.redisAdminUrl ? redis : unconfigured(redis, "SOC_ROTATION_REDIS_ADMIN_URL"),
    webhook: webhookProvider({ signingKey: webhookSigningKey, egress: settings.egress }),
  };
  // The workflow hands each provider its stored config as it is; every provider parses it before use.
  return providers satisfies Record<CredentialKind, { kind: CredentialKind }> as unknown as ProviderSet;
}
