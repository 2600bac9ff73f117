import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { RotationInput } from "@/lib/credentials/providers/provider";
import { randomSecret } from "@/lib/credentials/providers/random-secret";
import { type RedisAclConfig, redisAclProvider } from "@/lib/credentials/providers/redis-acl";
import { caught, errorRenderings } from "@/scripts/testing/caught";
import { freePort, startRedisServer } from "@/scripts/testing/infra";

// ACL users are server-wide and these tests create users and try to disable `default`: they run on
// a redis-server of their own, never on the Redis the console and other test runs share.
let redisUrl = "";
let stopRedis: () => Promise<void> = async () => undefined;
const USER = `agent-${randomBytes(4).toString("hex")}`;
const RULES = ["~agent:*", "+@read", "+@write"];

let admin: Redis;
let host = "";
let port = 0;

/** Logs in as `username` on a fresh connection (no retries); the connection, or the error text of AUTH. */
async function login(username: string, password: string): Promise<{ redis: Redis } | { error: string }> {
  const redis = new Redis({ host, port, protocol: 2, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, disableClientInfo: true });
  redis.on("error", () => undefined);
  await redis.connect();
  try {
    await redis.call("AUTH", username, password);
    return { redis };
  } catch (err) {
    redis.disconnect();
    return { error: (err as Error).message };
  }
}

async function loginError(username: string, password: string): Promise<string> {
  const result = await login(username, password);
  if ("redis" in result) {
    result.redis.disconnect();
    return "ok";
  }
  return result.error;
}

/** The user's rules as ACL LIST shows them, without the on/off flag and password hashes that rotation changes. */
async function rulesOf(username: string): Promise<string> {
  const lines = (await admin.call("ACL", "LIST")) as string[];
  const line = lines.find((l) => l.startsWith(`user ${username} `)) ?? "";
  return line
    .split(" ")
    .filter((t) => !/^(on|off|#[0-9a-f]{64}|nopass)$/.test(t))
    .join(" ");
}

async function flags(username: string): Promise<string[]> {
  const user = (await admin.call("ACL", "GETUSER", username)) as unknown[] | Record<string, unknown> | null;
  if (user === null) return [];
  const entries: unknown[] = Array.isArray(user) ? user : Object.entries(user).flat();
  return entries[entries.indexOf("flags") + 1] as string[];
}

const config = (username = USER): RedisAclConfig => ({ username, host, port });

function input(overrides: Partial<RotationInput<RedisAclConfig>> & { newSecret: string }): RotationInput<RedisAclConfig> & { newSecret: string };
function input(overrides?: Partial<RotationInput<RedisAclConfig>>): RotationInput<RedisAclConfig>;
function input(overrides: Partial<RotationInput<RedisAclConfig>> = {}): RotationInput<RedisAclConfig> {
  return { credentialId: "cred-test", agentId: "agent-test", config: config(), oldSecret: null, newSecret: null, ...overrides };
}

async function createUser(username: string, password: string): Promise<void> {
  await admin.call("ACL", "DELUSER", username);
  await admin.call("ACL", "SETUSER", username, "on", `>${password}`, ...RULES);
}

describe("redisAclProvider against the real Redis", () => {
  // A set-up failure must fail each test, not only the hook: the run's summary counts failed tests.
  let setupError: unknown = null;
  beforeAll(async () => {
    try {
      const server = await startRedisServer();
      redisUrl = server.url;
      stopRedis = server.stop;
      const url = new URL(redisUrl);
      host = url.hostname;
      port = Number(url.port || 6379);
      admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
      admin.on("error", () => undefined);
      await admin.connect();
    } catch (err) {
      setupError = err;
    }
  });
  beforeEach(() => {
    if (setupError) throw setupError;
  });

  afterAll(async () => {
    admin?.disconnect();
    await stopRedis();
  });

  it("runs against a user that needs its password", async () => {
    await createUser(`${USER}-probe`, "the-right-password");
    expect(await loginError(`${USER}-probe`, "the-right-password")).toBe("ok");
    expect(await loginError(`${USER}-probe`, "a-wrong-password")).toMatch(/^WRONGPASS/);
  });

  it("rotates: old connections are dropped, the new password works, the old gets WRONGPASS, the rules survive", async () => {
    const oldSecret = randomSecret();
    await createUser(USER, oldSecret);
    const rulesBefore = await rulesOf(USER);
    expect(rulesBefore).toContain("~agent:*");
    const provider = redisAclProvider({ url: redisUrl });

    const held = await login(USER, oldSecret);
    if (!("redis" in held)) throw new Error(`the test user cannot log in: ${held.error}`);

    expect(await provider.revokeOld(input({ oldSecret }))).toBe(true);
    expect(await flags(USER)).toContain("off");
    await vi.waitFor(() => expect(held.redis.status).toBe("end"), { timeout: 5_000 });
    expect(await loginError(USER, oldSecret)).toMatch(/^WRONGPASS/);

    const { secret: newSecret } = await provider.create(input({ oldSecret }));
    expect(newSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await provider.apply(input({ oldSecret, newSecret }));
    expect(await flags(USER)).toContain("on");
    expect(await rulesOf(USER)).toBe(rulesBefore);

    expect(await provider.verify(input({ oldSecret, newSecret }))).toEqual({ newWorks: true, oldRefused: true });
    expect(await loginError(USER, oldSecret)).toMatch(/^WRONGPASS/);

    const agent = await login(USER, newSecret);
    if (!("redis" in agent)) throw new Error(`the new password does not log in: ${agent.error}`);
    try {
      expect(await agent.redis.get(`agent:${USER}:absent`)).toBeNull();
      expect(await agent.redis.del(`agent:${USER}:absent`)).toBe(0);
      await expect(agent.redis.get("other:key")).rejects.toThrow(/^NOPERM/);
      await expect(agent.redis.call("ACL", "LIST")).rejects.toThrow(/^NOPERM/);
    } finally {
      agent.redis.disconnect();
    }

    // Each step may run again after a crash that came before its outcome was recorded.
    await provider.apply(input({ oldSecret, newSecret }));
    expect(await provider.verify(input({ oldSecret, newSecret }))).toEqual({ newWorks: true, oldRefused: true });
    expect(await provider.verify(input({ oldSecret: null, newSecret }))).toEqual({ newWorks: true, oldRefused: null });
    expect(await rulesOf(USER)).toBe(rulesBefore);
  });

  it("says clearly when the user does not exist (without creating it), the admin cannot connect, or the config is not acceptable", async () => {
    const provider = redisAclProvider({ url: redisUrl });
    const newSecret = randomSecret();
    const missingUser = `${USER}-missing`;
    // One at a time: a second step started alongside would fail before anything awaits it (an unhandled rejection).
    for (const step of [
      () => provider.revokeOld(input({ config: config(missingUser) })),
      () => provider.apply(input({ config: config(missingUser), newSecret })),
    ]) {
      const missing = await caught(step());
      expect(missing.code).toBe("NOT_FOUND");
      expect(missing.message).toMatch(new RegExp(`^(revoke_old|apply): Redis ACL user ${missingUser} does not exist at `));
    }
    expect(await admin.call("ACL", "GETUSER", missingUser)).toBeNull();

    const self = await caught(provider.revokeOld(input({ config: config("default") })));
    expect(self.code).toBe("VALIDATION");
    expect(await flags("default")).toContain("on");

    const closedPort = await freePort();
    const unreachable = await caught(
      redisAclProvider({ url: `redis://127.0.0.1:${closedPort}` }).apply(input({ config: { ...config(), port: closedPort }, newSecret })),
    );
    expect(unreachable.code).toBe("UNAVAILABLE");
    expect(unreachable.message).toContain(`admin connection to Redis at 127.0.0.1:${closedPort}`);

    for (const username of ["", "has space", "a".repeat(65), "user>pass", "user~*"]) {
      const rejected = await caught(provider.revokeOld(input({ config: { ...config(), username } })));
      expect(rejected.code).toBe("VALIDATION");
      expect(rejected.message).toContain("username:");
    }
    // The admin login reaches another server than the one agents use: refused before any change.
    const mismatch = await caught(provider.revokeOld(input({ config: { ...config(), host: "cache.internal" } })));
    expect(mismatch.code).toBe("VALIDATION");
    expect(mismatch.message).toMatch(
      /^revoke_old: the console's admin login reaches Redis at .*, not cache\.internal:\d+ where this credential is used; point SOC_ROTATION_REDIS_ADMIN_URL at that server/,
    );
    expect(await flags(USER)).toContain("on");
    const smuggled = { ...config(), url: "redis://elsewhere:6379" } as RedisAclConfig;
    expect((await caught(provider.apply(input({ config: smuggled, newSecret })))).code).toBe("VALIDATION");
  });

  it("never puts a password in an error, whichever check fails", async () => {
    const oldSecret = randomSecret();
    const newSecret = randomSecret();
    const adminPassword = randomSecret();
    await createUser(USER, oldSecret);
    const provider = redisAclProvider({ url: redisUrl });
    const wrongAdminUrl = new URL(redisUrl);
    wrongAdminUrl.username = USER;
    wrongAdminUrl.password = adminPassword;

    const errors = [
      await caught(provider.verify(input({ oldSecret, newSecret }))),
      await caught(provider.verify(input({ oldSecret, newSecret: oldSecret }))),
      await caught(redisAclProvider({ url: wrongAdminUrl.toString() }).apply(input({ oldSecret, newSecret }))),
      await caught(provider.verify(input({ config: { ...config(), port: await freePort() }, oldSecret, newSecret }))),
    ];
    expect(errors.map((e) => e.code)).toEqual(["CONFLICT", "CONFLICT", "UNAVAILABLE", "UNAVAILABLE"]);
    expect(errors[0]?.message).toMatch(/with the new password failed \(WRONGPASS/);
    expect(errors[1]?.message).toContain("the old password still logs in");
    expect(errors[2]?.message).toContain("WRONGPASS");
    for (const err of errors) {
      for (const text of errorRenderings(err)) {
        for (const secret of [oldSecret, newSecret, adminPassword]) expect(text).not.toContain(secret);
      }
    }
    expect(await loginError(USER, oldSecret)).toBe("ok");
  });
});
