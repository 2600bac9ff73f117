import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { getRotationRun } from "@/db/queries/rotations";
import { rotationRuns } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { createCredential } from "@/lib/credentials";
import { credentialProviders } from "@/lib/credentials/providers";
import { type PostgresRoleConfig, postgresRoleProvider } from "@/lib/credentials/providers/postgres-role";
import type { RotationInput } from "@/lib/credentials/providers/provider";
import { randomSecret } from "@/lib/credentials/providers/random-secret";
import { DEFAULT_RETRY_POLICY, revealNewSecret, runDueRotationSteps, startRotation } from "@/lib/rotation";
import { caught, errorRenderings } from "@/scripts/testing/caught";
import { newAgent, testCtx } from "@/scripts/testing/fixtures";
import { freePort } from "@/scripts/testing/infra";
import { type PasswordCheckingPostgres, startPasswordCheckingPostgres } from "@/scripts/testing/scram-postgres";

// The PostgreSQL these machines start for tests trusts every local connection, so a password test
// against it proves nothing: this suite starts its own server that checks passwords (scram-sha-256).
const ROLE = "agent_db";

let server: PasswordCheckingPostgres | null = null;
let port = 0;
let adminUrl = "";
let adminPassword = "";

async function startServer(): Promise<void> {
  server = await startPasswordCheckingPostgres();
  ({ port, adminUrl, adminPassword } = server);
}

async function adminQuery<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Logs in as `role` and runs SELECT 1; the SQLSTATE of the failure, or "ok". */
async function login(role: string, password: string): Promise<string> {
  if (!server) throw new Error("the password-checking server did not start");
  return server.login(role, password);
}

async function canLogin(role: string): Promise<boolean | undefined> {
  const rows = await adminQuery<{ rolcanlogin: boolean }>("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", [role]);
  return rows[0]?.rolcanlogin;
}

async function createRole(role: string, password: string): Promise<void> {
  await adminQuery(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
  await adminQuery(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
}

const config = (role = ROLE): PostgresRoleConfig => ({ role, host: "127.0.0.1", port, database: "postgres" });

function input(overrides: Partial<RotationInput<PostgresRoleConfig>> & { newSecret: string }): RotationInput<PostgresRoleConfig> & { newSecret: string };
function input(overrides?: Partial<RotationInput<PostgresRoleConfig>>): RotationInput<PostgresRoleConfig>;
function input(overrides: Partial<RotationInput<PostgresRoleConfig>> = {}): RotationInput<PostgresRoleConfig> {
  return { credentialId: "cred-test", agentId: "agent-test", config: config(), oldSecret: null, newSecret: null, ...overrides };
}

describe("postgresRoleProvider against a PostgreSQL that checks passwords (scram-sha-256)", () => {
  // A start-up failure must fail each test, not only the hook: the run's summary counts failed tests.
  let startError: unknown = null;
  beforeAll(async () => {
    try {
      await startServer();
    } catch (err) {
      startError = err;
    }
  }, 120_000);
  beforeEach(() => {
    if (startError) throw startError;
  });

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  it("runs on a server that really checks passwords", async () => {
    await createRole("password_probe", "the-right-password");
    expect(await login("password_probe", "the-right-password")).toBe("ok");
    expect(await login("password_probe", "a-wrong-password")).toBe("28P01");
  });

  it("rotates: the old sessions end, the new password logs in, the old one is refused, the role can log in again", async () => {
    const oldSecret = randomSecret();
    await createRole(ROLE, oldSecret);
    const provider = postgresRoleProvider({ connectionString: adminUrl });

    const held = new pg.Client({ host: "127.0.0.1", port, database: "postgres", user: ROLE, password: oldSecret });
    held.on("error", () => undefined);
    await held.connect();

    expect(await provider.revokeOld(input({ oldSecret }))).toBe(true);
    expect(await canLogin(ROLE)).toBe(false);
    await expect(held.query("SELECT 1")).rejects.toThrow();
    expect(await login(ROLE, oldSecret)).toBe("28000");

    const { secret: newSecret } = await provider.create(input({ oldSecret }));
    expect(newSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await provider.create(input())).secret).not.toBe(newSecret);

    await provider.apply(input({ oldSecret, newSecret }));
    expect(await canLogin(ROLE)).toBe(true);
    const [stored] = await adminQuery<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [ROLE]);
    expect(stored?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);

    expect(await provider.verify(input({ oldSecret, newSecret }))).toEqual({ newWorks: true, oldRefused: true });
    expect(await login(ROLE, newSecret)).toBe("ok");
    expect(await login(ROLE, oldSecret)).toBe("28P01");

    // Each step may run again after a crash that came before its outcome was recorded.
    await provider.apply(input({ oldSecret, newSecret }));
    expect(await provider.verify(input({ oldSecret, newSecret }))).toEqual({ newWorks: true, oldRefused: true });
    expect(await provider.verify(input({ oldSecret: null, newSecret }))).toEqual({ newWorks: true, oldRefused: null });

    // Regression guard: the password is hashed before it leaves the console, so even log_statement=all never shows it.
    expect(server?.log()).toContain("ALTER ROLE");
    expect(server?.log()).not.toContain(newSecret);
  });

  it("says clearly when the admin connection is wrong, the role does not exist, or the config is not acceptable", async () => {
    const newSecret = randomSecret();
    const wrongAdmin = postgresRoleProvider({ connectionString: `postgres://postgres:not-the-password@127.0.0.1:${port}/postgres` });
    const badAdmin = await caught(wrongAdmin.revokeOld(input()));
    expect(badAdmin.code).toBe("UNAVAILABLE");
    expect(badAdmin.message).toMatch(/admin connection to PostgreSQL at 127\.0\.0\.1:\d+ .*28P01.*password authentication failed/);
    expect(badAdmin.message).not.toContain("not-the-password");

    const closedPort = await freePort();
    const unreachable = await caught(
      postgresRoleProvider({ connectionString: `postgres://postgres:x@127.0.0.1:${closedPort}/postgres` }).apply(
        input({ config: { ...config(), port: closedPort }, newSecret }),
      ),
    );
    expect(unreachable.code).toBe("UNAVAILABLE");
    expect(unreachable.message).toContain(`127.0.0.1:${closedPort}`);

    const provider = postgresRoleProvider({ connectionString: adminUrl });
    const missing = await caught(provider.apply(input({ config: config("agent_missing"), newSecret })));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toBe(`apply: role agent_missing does not exist on the PostgreSQL server at 127.0.0.1:${port}`);
    expect(await canLogin("agent_missing")).toBeUndefined();

    // The admin login reaches another server than the one agents use: nothing is changed on either.
    for (const elsewhere of [
      { host: "orders-db.internal", port },
      { host: "localhost", port: closedPort },
    ]) {
      const mismatch = await caught(provider.revokeOld(input({ config: { ...config(), ...elsewhere } })));
      expect(mismatch.code).toBe("VALIDATION");
      expect(mismatch.message).toBe(
        `revoke_old: the console's admin login reaches PostgreSQL at 127.0.0.1:${port}, not ${elsewhere.host}:${elsewhere.port} where this credential is used; point SOC_ROTATION_PG_ADMIN_URL at that server, or rotate this credential by hand`,
      );
    }
    expect((await caught(provider.apply(input({ config: { ...config(), host: "orders-db.internal" }, newSecret })))).code).toBe("VALIDATION");
    expect(await login("password_probe", "the-right-password")).toBe("ok");

    const self = await caught(provider.revokeOld(input({ config: config("postgres") })));
    expect(self.code).toBe("VALIDATION");
    expect(await canLogin("postgres")).toBe(true);

    for (const role of ["Agent_db", "agent-db", `agent_db"; ALTER ROLE postgres NOLOGIN; --`, "1agent", "a".repeat(64), ""]) {
      const rejected = await caught(provider.revokeOld(input({ config: { ...config(), role } })));
      expect(rejected.code).toBe("VALIDATION");
      expect(rejected.message).toContain("role:");
    }
    // The admin connection comes from configuration only: a credential's config cannot carry one.
    const smuggled = { ...config(), connectionString: "postgres://someone@elsewhere/postgres" } as PostgresRoleConfig;
    expect((await caught(provider.apply(input({ config: smuggled, newSecret })))).code).toBe("VALIDATION");
    expect(await canLogin("postgres")).toBe(true);

    const viaAgentDoor = await caught(provider.verify(input({ config: { ...config(), database: "no_such_db" }, newSecret })));
    expect(viaAgentDoor.message).toMatch(/^verify: logging in as role agent_db at 127\.0\.0\.1:\d+\/no_such_db with the new password failed/);
  });

  it("never puts a password in an error, whichever check fails", async () => {
    const oldSecret = randomSecret();
    const newSecret = randomSecret();
    const neverApplied = randomSecret();
    await createRole(ROLE, oldSecret);
    await adminQuery("DROP ROLE IF EXISTS limited_admin");
    await adminQuery(`CREATE ROLE limited_admin LOGIN PASSWORD ${pg.escapeLiteral(adminPassword)}`);
    const provider = postgresRoleProvider({ connectionString: adminUrl });
    const limited = postgresRoleProvider({ connectionString: `postgres://limited_admin:${adminPassword}@127.0.0.1:${port}/postgres` });
    const wrongAdmin = postgresRoleProvider({ connectionString: `postgres://postgres:${adminPassword}x@127.0.0.1:${port}/postgres` });

    const errors = [
      // The new password was never set: refused.
      await caught(provider.verify(input({ oldSecret, newSecret: neverApplied }))),
      // The "old" password still works.
      await caught(provider.verify(input({ oldSecret, newSecret: oldSecret }))),
      // An admin without the right to alter the role.
      await caught(limited.apply(input({ oldSecret, newSecret }))),
      await caught(limited.revokeOld(input({ oldSecret, newSecret }))),
      // A wrong admin password.
      await caught(wrongAdmin.apply(input({ oldSecret, newSecret }))),
      // The agents' server cannot be reached.
      await caught(provider.verify(input({ config: { ...config(), port: await freePort() }, oldSecret, newSecret }))),
    ];
    expect(errors.map((e) => e.code)).toEqual(["CONFLICT", "CONFLICT", "INTERNAL", "INTERNAL", "UNAVAILABLE", "UNAVAILABLE"]);
    expect(errors[0]?.message).toContain("with the new password failed (28P01");
    expect(errors[1]?.message).toContain("the old password still logs in");
    expect(errors[2]?.message).toMatch(/^apply: PostgreSQL at .* refused the change \(42501/);
    for (const err of errors) {
      for (const text of errorRenderings(err)) {
        for (const secret of [oldSecret, newSecret, neverApplied, adminPassword]) expect(text).not.toContain(secret);
      }
    }
    expect(await login(ROLE, oldSecret)).toBe("ok");
  });

  it("through a rotation run: the console's admin login comes from configuration, the new secret works, the old one is refused", async () => {
    const role = "agent_run";
    const oldSecret = randomSecret();
    await createRole(role, oldSecret);
    const { agentId } = await newAgent({ prefix: "rot-pg" });
    const admin: Ctx = { ...testCtx(), actor: { type: "user", userId: randomUUID(), email: "admin@example.com", role: "admin", sessionId: randomUUID() } };
    const created = await createCredential({
      ctx: admin,
      input: { agent_id: agentId, name: "orders db", kind: "postgres_role", config: config(role), current_secret: oldSecret },
    });
    const started = await startRotation({ ctx: testCtx(), input: { credential_ids: [created.credential.id] } });

    const db = appDb();
    const deps = {
      db,
      providers: credentialProviders(db, { postgresAdminUrl: adminUrl, redisAdminUrl: null }),
      policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
    };
    await runDueRotationSteps(deps);
    const run = await getRotationRun(db, started.id);
    expect(run).toMatchObject({ status: "succeeded", items: [{ state: "rotated", revoked_old: true, old_refused: true, new_secret: "ready_to_reveal" }] });
    const itemId = run?.items[0]?.id;
    const { secret } = await revealNewSecret({ ctx: testCtx(), input: { runId: started.id, itemId } });
    expect(await login(role, secret)).toBe("ok");
    expect(await login(role, oldSecret)).toBe("28P01");

    // Without the setting, the step fails saying which setting is missing. (A minute later: a start
    // moments after the first run is the same click and gets that run.)
    await db.update(rotationRuns).set({ finishedAt: sql`now() - interval '1 minute'` }).where(eq(rotationRuns.id, started.id));
    const again = await startRotation({ ctx: testCtx(), input: { credential_ids: [created.credential.id] } });
    // A configuration problem fails at once rather than after ten minutes of retries.
    await runDueRotationSteps({ ...deps, policy: DEFAULT_RETRY_POLICY, providers: credentialProviders(db, { postgresAdminUrl: null, redisAdminUrl: null }) });
    const refused = await getRotationRun(db, again.id);
    expect(refused?.items[0]).toMatchObject({ state: "failed", step: "revoke_old", attempts: 1 });
    expect(refused?.items[0]?.last_error).toContain("SOC_ROTATION_PG_ADMIN_URL");
    expect(await login(role, secret)).toBe("ok");
  });
});
