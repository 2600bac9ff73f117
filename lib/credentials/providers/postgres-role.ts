import pg from "pg";
import { z } from "zod";
import { scramSha256Verifier } from "@/db/scram-verifier";
import { AppError, errorCode, isUnavailableError } from "@/lib/errors";
import type { CredentialProvider, RotationInput } from "./provider";
import { randomSecret, withoutSecrets } from "./random-secret";
import { requireSameServer, type ServerAddress } from "./same-server";

export const postgresRoleConfigSchema = z.strictObject({
  role: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case role name: a letter or _ then letters, digits or _, at most 63 characters"),
  host: z.string().regex(/^[A-Za-z0-9._:-]{1,253}$/, "a host name or IP address"),
  port: z.number().int().min(1).max(65535),
  database: z.string().min(1).max(63),
});
export type PostgresRoleConfig = z.infer<typeof postgresRoleConfigSchema>;

const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 10_000;
const TERMINATE_WAIT_MS = 5_000;
const APPLICATION_NAME = "agentsoc-credential-rotation";

type Step = "revoke_old" | "apply" | "verify";

function parseConfig(step: Step, config: unknown): PostgresRoleConfig {
  const parsed = postgresRoleConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
    throw new AppError("VALIDATION", `${step}: invalid PostgreSQL role credential config (${issues})`);
  }
  return parsed.data;
}

/** Where the admin connection goes, for messages, and every spelling of its password, to keep them out of messages. */
function describeAdmin(connectionString: string): { label: string; address: ServerAddress; secrets: string[] } {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new AppError("VALIDATION", "The PostgreSQL admin connection string is not a valid postgres:// URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new AppError("VALIDATION", "The PostgreSQL admin connection string must start with postgres:// or postgresql://");
  }
  const fromQuery = url.searchParams.get("password");
  const secrets = [connectionString, url.password, safeDecode(url.password), fromQuery].filter((s): s is string => Boolean(s));
  const address = { host: url.hostname || url.searchParams.get("host") || "", port: Number(url.port || 5432) };
  return { label: `${url.hostname || "localhost"}:${url.port || "5432"}`, address, secrets };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function describeError(err: unknown, secrets: readonly (string | null | undefined)[]): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return withoutSecrets(code && !message.includes(code) ? `${code}: ${message}` : message, secrets);
}

async function withAdmin<T>(
  admin: { connectionString: string },
  step: Step,
  secrets: readonly (string | null)[],
  fn: (client: pg.Client, label: string) => Promise<T>,
): Promise<T> {
  const target = describeAdmin(admin.connectionString);
  const allSecrets = [...target.secrets, ...secrets];
  const client = new pg.Client({
    connectionString: admin.connectionString,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: APPLICATION_NAME,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new AppError(
      "UNAVAILABLE",
      `${step}: cannot open the console's admin connection to PostgreSQL at ${target.label} (${describeError(err, allSecrets)})`,
    );
  }
  try {
    return await fn(client, target.label);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(
      isUnavailableError(err) ? "UNAVAILABLE" : "INTERNAL",
      `${step}: PostgreSQL at ${target.label} refused the change (${describeError(err, allSecrets)})`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The role must exist and must not be the console's own admin login (disabling that would lock the console out). */
async function requireRole(client: pg.Client, label: string, step: Step, role: string): Promise<void> {
  const { rows } = await client.query<{ admin: string; found: boolean }>(
    "SELECT current_user AS admin, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS found",
    [role],
  );
  const row = rows[0];
  if (row?.admin === role) {
    throw new AppError("VALIDATION", `${step}: role ${role} is the console's own admin login at ${label}; rotate it by hand`);
  }
  if (!row?.found) throw new AppError("NOT_FOUND", `${step}: role ${role} does not exist on the PostgreSQL server at ${label}`);
}

type LoginResult = { ok: true } | { ok: false; code: string | null; unavailable: boolean; detail: string };

async function tryLogin(config: PostgresRoleConfig, password: string, secrets: readonly (string | null)[]): Promise<LoginResult> {
  const client = new pg.Client({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.role,
    password,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: APPLICATION_NAME,
  });
  client.on("error", () => undefined);
  let connected = false;
  try {
    await client.connect();
    connected = true;
    await client.query("SELECT 1");
    return { ok: true };
  } catch (err) {
    return { ok: false, code: errorCode(err), unavailable: isUnavailableError(err), detail: describeError(err, secrets) };
  } finally {
    if (connected) await client.end().catch(() => undefined);
  }
}

function requireSecret(step: Step, secret: string): void {
  // Printable ASCII only: SASLprep leaves it unchanged, so the verifier built here matches what clients send.
  if (!/^[\x21-\x7e]{16,1024}$/.test(secret)) {
    throw new AppError("VALIDATION", `${step}: the new secret must be 16–1024 printable ASCII characters without spaces`);
  }
}

/**
 * A database login an agent uses. The console's privileged connection comes from configuration
 * (`admin`); the credential's config only names the role and where agents connect.
 */
export function postgresRoleProvider(admin: { connectionString: string }): CredentialProvider<PostgresRoleConfig> {
  /** The config of a step that changes the role, on the server the admin login reaches. */
  const changeTarget = (step: Step, raw: unknown): PostgresRoleConfig => {
    const config = parseConfig(step, raw);
    requireSameServer(step, "PostgreSQL", describeAdmin(admin.connectionString).address, config, "SOC_ROTATION_PG_ADMIN_URL");
    return config;
  };
  return {
    kind: "postgres_role",
    configSchema: postgresRoleConfigSchema,

    async revokeOld(input: RotationInput<PostgresRoleConfig>): Promise<boolean> {
      const { role } = changeTarget("revoke_old", input.config);
      return withAdmin(admin, "revoke_old", [input.oldSecret, input.newSecret], async (client, label) => {
        await requireRole(client, label, "revoke_old", role);
        await client.query(`ALTER ROLE ${client.escapeIdentifier(role)} NOLOGIN`);
        const { rows } = await client.query<{ terminated: boolean }>(
          "SELECT pg_terminate_backend(pid, $2) AS terminated FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()",
          [role, TERMINATE_WAIT_MS],
        );
        const survivors = rows.filter((r) => !r.terminated).length;
        if (survivors > 0) {
          throw new AppError("UNAVAILABLE", `revoke_old: ${survivors} session(s) of role ${role} at ${label} did not end within ${TERMINATE_WAIT_MS} ms`);
        }
        return true;
      });
    },

    async create(): Promise<{ secret: string }> {
      return { secret: randomSecret() };
    },

    async apply(input: RotationInput<PostgresRoleConfig> & { newSecret: string }): Promise<void> {
      const { role } = changeTarget("apply", input.config);
      requireSecret("apply", input.newSecret);
      const verifier = scramSha256Verifier(input.newSecret);
      await withAdmin(admin, "apply", [input.oldSecret, input.newSecret, verifier], async (client, label) => {
        await requireRole(client, label, "apply", role);
        await client.query(`ALTER ROLE ${client.escapeIdentifier(role)} WITH LOGIN PASSWORD ${client.escapeLiteral(verifier)}`);
      });
    },

    async verify(input: RotationInput<PostgresRoleConfig> & { newSecret: string }): Promise<{ newWorks: true; oldRefused: boolean | null }> {
      const config = parseConfig("verify", input.config);
      const secrets = [input.oldSecret, input.newSecret];
      const where = `role ${config.role} at ${config.host}:${config.port}/${config.database}`;

      const fresh = await tryLogin(config, input.newSecret, secrets);
      if (!fresh.ok) {
        throw new AppError(fresh.unavailable ? "UNAVAILABLE" : "CONFLICT", `verify: logging in as ${where} with the new password failed (${fresh.detail})`);
      }
      if (input.oldSecret === null) return { newWorks: true, oldRefused: null };

      const old = await tryLogin(config, input.oldSecret, secrets);
      if (old.ok) {
        throw new AppError("CONFLICT", `verify: the old password still logs in as ${where} (does pg_hba.conf trust this host instead of checking passwords?)`);
      }
      if (old.code !== "28P01") {
        throw new AppError(
          old.unavailable ? "UNAVAILABLE" : "CONFLICT",
          `verify: checking that the old password is refused for ${where} failed with something other than a password error (${old.detail})`,
        );
      }
      return { newWorks: true, oldRefused: true };
    },
  };
}
