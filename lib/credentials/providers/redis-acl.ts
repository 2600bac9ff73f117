import { createHash } from "node:crypto";
import Redis, { type RedisOptions } from "ioredis";
import { z } from "zod";
import { AppError, isUnavailableError } from "@/lib/errors";
import type { CredentialProvider, RotationInput } from "./provider";
import { randomSecret, withoutSecrets } from "./random-secret";
import { requireSameServer, type ServerAddress } from "./same-server";

export const redisAclConfigSchema = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "1–64 letters, digits, '_', '.' or '-'"),
  host: z.string().regex(/^[A-Za-z0-9._:-]{1,253}$/, "a host name or IP address"),
  port: z.number().int().min(1).max(65535),
});
export type RedisAclConfig = z.infer<typeof redisAclConfigSchema>;

const CONNECT_TIMEOUT_MS = 5_000;
const COMMAND_TIMEOUT_MS = 10_000;

type Step = "revoke_old" | "apply" | "verify";

// One attempt, no retries, no queueing: a rotation step fails fast and says why.
const ONE_SHOT: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  enableReadyCheck: false,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
  reconnectOnError: () => false,
  connectTimeout: CONNECT_TIMEOUT_MS,
  commandTimeout: COMMAND_TIMEOUT_MS,
  disableClientInfo: true,
};

function parseConfig(step: Step, config: unknown): RedisAclConfig {
  const parsed = redisAclConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
    throw new AppError("VALIDATION", `${step}: invalid Redis ACL credential config (${issues})`);
  }
  return parsed.data;
}

function describeAdmin(url: string): { label: string; address: ServerAddress; secrets: string[] } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError("VALIDATION", "The Redis admin URL is not a valid redis:// URL");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new AppError("VALIDATION", "The Redis admin URL must start with redis:// or rediss://");
  }
  const decoded = (() => {
    try {
      return decodeURIComponent(parsed.password);
    } catch {
      return parsed.password;
    }
  })();
  return {
    label: `${parsed.hostname || "localhost"}:${parsed.port || "6379"}`,
    address: { host: parsed.hostname, port: Number(parsed.port || 6379) },
    secrets: [url, parsed.password, decoded].filter(Boolean),
  };
}

/** Only the message, stripped of secrets: ioredis attaches the command and its arguments (AUTH's password) to its errors. */
function describeError(err: unknown, secrets: readonly (string | null | undefined)[]): string {
  return withoutSecrets(err instanceof Error ? err.message : String(err), secrets);
}

/** Connects once; ioredis reports why a connection closed (e.g. WRONGPASS) on "error", not in connect()'s rejection. */
async function connectOnce(redis: Redis): Promise<void> {
  let lastError: unknown = null;
  redis.on("error", (err: unknown) => {
    lastError = err;
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw lastError ?? err;
  }
}

async function withAdmin<T>(
  admin: { url: string },
  step: Step,
  secrets: readonly (string | null)[],
  fn: (redis: Redis, label: string) => Promise<T>,
): Promise<T> {
  const target = describeAdmin(admin.url);
  const allSecrets = [...target.secrets, ...secrets];
  const redis = new Redis(admin.url, ONE_SHOT);
  try {
    await connectOnce(redis);
  } catch (err) {
    throw new AppError("UNAVAILABLE", `${step}: cannot open the console's admin connection to Redis at ${target.label} (${describeError(err, allSecrets)})`);
  }
  try {
    return await fn(redis, target.label);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(
      isUnavailableError(err) ? "UNAVAILABLE" : "INTERNAL",
      `${step}: Redis at ${target.label} refused the change (${describeError(err, allSecrets)})`,
    );
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** ACL SETUSER creates users that do not exist: check first, and never disable the console's own admin user. */
async function requireUser(redis: Redis, label: string, step: Step, username: string): Promise<void> {
  const me = await redis.call("ACL", "WHOAMI");
  if (me === username) {
    throw new AppError("VALIDATION", `${step}: user ${username} is the console's own admin login at ${label}; rotate it by hand`);
  }
  const user = await redis.call("ACL", "GETUSER", username);
  if (user === null) throw new AppError("NOT_FOUND", `${step}: Redis ACL user ${username} does not exist at ${label}`);
}

/** With an ACL file configured, an unsaved change is lost on restart and the old password would work again. */
async function saveAcl(redis: Redis): Promise<void> {
  try {
    await redis.call("ACL", "SAVE");
  } catch (err) {
    if (err instanceof Error && /not configured to use an ACL file/i.test(err.message)) return;
    throw err;
  }
}

type AuthResult = { ok: true } | { ok: false; wrongPass: boolean; unavailable: boolean; detail: string };

async function tryAuth(config: RedisAclConfig, password: string, secrets: readonly (string | null)[]): Promise<AuthResult> {
  // RESP2 and an explicit AUTH: nothing is sent before it, so the answer is AUTH's own, whatever the default user allows.
  const redis = new Redis({ ...ONE_SHOT, host: config.host, port: config.port, protocol: 2 });
  try {
    await connectOnce(redis);
    await redis.call("AUTH", config.username, password);
    try {
      await redis.ping();
    } catch (err) {
      // Authenticated, but the user's rules do not include PING (e.g. only +@read +@write): the login itself worked.
      if (!(err instanceof Error && err.message.startsWith("NOPERM"))) throw err;
    }
    return { ok: true };
  } catch (err) {
    const message = err instanceof Error ? err.message : "";
    return { ok: false, wrongPass: message.startsWith("WRONGPASS"), unavailable: isUnavailableError(err), detail: describeError(err, secrets) };
  } finally {
    redis.disconnect();
  }
}

function requireSecret(step: Step, secret: string): void {
  if (secret.length < 16 || secret.length > 1024) throw new AppError("VALIDATION", `${step}: the new secret must be 16–1024 characters`);
}

/** A Redis ACL user an agent logs in as. The console's privileged connection comes from configuration (`admin`). */
export function redisAclProvider(admin: { url: string }): CredentialProvider<RedisAclConfig> {
  /** The config of a step that changes the user, on the server the admin login reaches. */
  const changeTarget = (step: Step, raw: unknown): RedisAclConfig => {
    const config = parseConfig(step, raw);
    requireSameServer(step, "Redis", describeAdmin(admin.url).address, config, "SOC_ROTATION_REDIS_ADMIN_URL");
    return config;
  };
  return {
    kind: "redis_acl_user",
    configSchema: redisAclConfigSchema,

    async revokeOld(input: RotationInput<RedisAclConfig>): Promise<boolean> {
      const { username } = changeTarget("revoke_old", input.config);
      return withAdmin(admin, "revoke_old", [input.oldSecret, input.newSecret], async (redis, label) => {
        await requireUser(redis, label, "revoke_old", username);
        await redis.call("ACL", "SETUSER", username, "off");
        await redis.call("CLIENT", "KILL", "USER", username);
        await saveAcl(redis);
        return true;
      });
    },

    async create(): Promise<{ secret: string }> {
      return { secret: randomSecret() };
    },

    async apply(input: RotationInput<RedisAclConfig> & { newSecret: string }): Promise<void> {
      const { username } = changeTarget("apply", input.config);
      requireSecret("apply", input.newSecret);
      // Sent as its SHA-256 (`#…`), which is what Redis stores: the password itself never goes over the wire.
      const hash = createHash("sha256").update(input.newSecret, "utf8").digest("hex");
      await withAdmin(admin, "apply", [input.oldSecret, input.newSecret, hash], async (redis, label) => {
        await requireUser(redis, label, "apply", username);
        // resetpass, not reset: the user's key patterns, channels and commands stay as they are.
        await redis.call("ACL", "SETUSER", username, "on", "resetpass", `#${hash}`);
        await saveAcl(redis);
      });
    },

    async verify(input: RotationInput<RedisAclConfig> & { newSecret: string }): Promise<{ newWorks: true; oldRefused: boolean | null }> {
      const config = parseConfig("verify", input.config);
      const secrets = [input.oldSecret, input.newSecret];
      const where = `user ${config.username} at ${config.host}:${config.port}`;

      const fresh = await tryAuth(config, input.newSecret, secrets);
      if (!fresh.ok) {
        throw new AppError(fresh.unavailable ? "UNAVAILABLE" : "CONFLICT", `verify: logging in as ${where} with the new password failed (${fresh.detail})`);
      }
      if (input.oldSecret === null) return { newWorks: true, oldRefused: null };

      const old = await tryAuth(config, input.oldSecret, secrets);
      if (old.ok) throw new AppError("CONFLICT", `verify: the old password still logs in as ${where}`);
      if (!old.wrongPass) {
        throw new AppError(
          old.unavailable ? "UNAVAILABLE" : "CONFLICT",
          `verify: checking that the old password is refused for ${where} failed with something other than WRONGPASS (${old.detail})`,
        );
      }
      return { newWorks: true, oldRefused: true };
    },
  };
}
