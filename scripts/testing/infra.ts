import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Redis from "ioredis";
import pg from "pg";
import { appConnection, appRoleName } from "@/db/app-role";
import { createDb } from "@/db/client";
import { childEnv } from "@/lib/env";
import { migrateDatabase } from "@/lib/migrate-database";
import { startEmbeddedPostgres } from "../lib/embedded-pg";
import { isProcessAlive, postgresAnswers, redisAnswers } from "../lib/probes";

export const TEST_DATABASE_PREFIX = "agentsoc_test";
/**
 * Each run has its own database (prefix + process id, dropped at the end) and one of the Redis
 * logical databases 8–15, never the console's (0), claimed with a lock file naming the run's process
 * so that two runs on one machine never flush each other's kill switches.
 */
const REDIS_TEST_DBS = [8, 9, 10, 11, 12, 13, 14, 15];

function claimRedisDb(): { db: number; release: () => void } {
  for (const db of REDIS_TEST_DBS) {
    const lock = path.join(tmpdir(), `agentsoc-test-redis-db-${db}.pid`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lock, String(process.pid), { flag: "wx" });
        return { db, release: () => rmSync(lock, { force: true }) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const owner = Number(readFileSync(lock, "utf8"));
        if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) break;
        rmSync(lock, { force: true });
      }
    }
  }
  throw new Error(`every Redis test database (${REDIS_TEST_DBS.join(", ")}) is held by a running test run; see ${tmpdir()}/agentsoc-test-redis-db-*.pid`);
}

export interface TestInfra {
  /** The console's least-privilege role, as the running app connects: what the tests and the e2e app use. */
  databaseUrl: string;
  /** The owner's rights, for the few tests that play an attacker with them or need DDL. */
  ownerDatabaseUrl: string;
  redisUrl: string;
  notes: string[];
  /** Empties the run's database (migrated again, same URLs) and Redis database. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The retention every test database is migrated with: the floor under what the app may drop. */
export const TEST_RETENTION_DAYS = 30;

/** The audit chain is keyed in tests as in production: the user's SOC_SECRET, or a fixed test one. */
export const testSocSecret = (): string => process.env.SOC_SECRET || "agentsoc-test-secret-not-for-production";

const log = (m: string) => console.error(`[test-infra] ${m}`);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const runPid = (name: string, prefix: string, suffix = ""): number | null => {
  const m = new RegExp(`^${prefix}_(\\d+)${suffix}$`).exec(name);
  return m ? Number(m[1]) : null;
};

/** Drops this run's database and then its role (the role cannot go while the database holds its grants). */
async function dropRunDatabase(admin: pg.Client, database: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(appRoleName(database))}`);
}

/**
 * Creates this run's database (dropping those of runs that died, with their roles), applies the
 * migrations as the owner, and returns the URL of the app role migration set up. Roles are
 * cluster-wide: each run's is named after its own database, so concurrent runs never share one.
 */
async function freshDatabase(serverUrl: string, prefix: string, database: string): Promise<{ appUrl: string; ownerUrl: string }> {
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await admin.connect();
  try {
    const existing = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${prefix}_%`]);
    for (const { datname } of existing.rows) {
      const pid = runPid(datname, prefix);
      if (datname === database || pid === null || !isProcessAlive(pid)) await dropRunDatabase(admin, datname);
    }
    // A run killed between dropping its database and its role leaves the role alone.
    const roles = await admin.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE $1", [`${prefix}_%_app`]);
    for (const { rolname } of roles.rows) {
      const pid = runPid(rolname, prefix, "_app");
      if (pid !== null && !isProcessAlive(pid)) {
        await admin
          .query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(rolname)}`)
          .catch((e: unknown) => log(`could not drop the stale role ${rolname}: ${String(e)}`));
      }
    }
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } catch (err) {
    throw new Error(`cannot create database ${database} on ${redact(serverUrl)}: ${(err as Error).message}`);
  } finally {
    await admin.end();
  }
  const ownerUrl = withDatabase(serverUrl, database);
  return { appUrl: await migrateAsOwner(ownerUrl), ownerUrl };
}

/**
 * Applies the migrations with the owner's URL and returns the URL of the app role they set up.
 * Tests run as that role so that a missing grant fails them, as it would fail the console.
 */
async function migrateAsOwner(ownerUrl: string): Promise<string> {
  const handle = createDb(ownerUrl, 2);
  try {
    const setup = await migrateDatabase(handle.db, { retentionDays: TEST_RETENTION_DAYS, appRole: { kind: "own", secret: testSocSecret() } });
    const app = appConnection(ownerUrl, setup, undefined);
    if (app.warning) throw new Error(`the tests need a PostgreSQL login that may create roles (${app.warning})`);
    return app.url;
  } finally {
    await handle.close();
  }
}

/**
 * Another migrated database beside the run's, for tests that need a second installation, made with
 * the owner's URL and answered with its own app role's. Named outside the run prefix, so another
 * run's clean-up never takes it; `drop` removes it and its role.
 */
export async function createExtraDatabase(databaseUrl: string, label: string): Promise<{ url: string; ownerUrl: string; drop: () => Promise<void> }> {
  const database = `agentsoc_extra_${label}_${process.pid}`;
  const admin = async (work: (client: pg.Client) => Promise<unknown>) => {
    const client = new pg.Client({ connectionString: withDatabase(databaseUrl, "postgres") });
    await client.connect();
    await work(client).finally(() => client.end());
  };
  await admin((client) => dropRunDatabase(client, database));
  await admin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`));
  const ownerUrl = withDatabase(databaseUrl, database);
  const url = await migrateAsOwner(ownerUrl);
  return { url, ownerUrl, drop: () => admin((client) => dropRunDatabase(client, database)) };
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

async function findPostgres(notes: string[], stops: (() => Promise<void>)[]): Promise<string> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    if (!(await postgresAnswers(fromEnv))) throw new Error(`DATABASE_URL is set but ${redact(fromEnv)} does not answer`);
    notes.push(`PostgreSQL from DATABASE_URL (${redact(fromEnv)})`);
    return fromEnv;
  }
  const local = "postgres://postgres@127.0.0.1:5432/postgres";
  if (await postgresAnswers(local)) {
    notes.push("PostgreSQL on 127.0.0.1:5432");
    return local;
  }
  const port = await freePort();
  log(`no PostgreSQL on 127.0.0.1:5432; starting the embedded one on port ${port}`);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(process.cwd(), ".data", "test-pg"),
    port,
    databases: [],
    log,
  });
  stops.push(() => server.stop());
  notes.push(`embedded PostgreSQL on port ${port}`);
  return server.url("postgres");
}

async function findRedis(notes: string[], stops: (() => Promise<void>)[]): Promise<string> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    if (!(await redisAnswers(fromEnv))) throw new Error(`REDIS_URL is set but ${redact(fromEnv)} does not answer`);
    notes.push(`Redis from REDIS_URL (${redact(fromEnv)})`);
    return fromEnv;
  }
  const local = "redis://127.0.0.1:6379";
  if (await redisAnswers(local)) {
    notes.push("Redis on 127.0.0.1:6379");
    return local;
  }
  if (spawnSync("which", ["redis-server"]).status !== 0) {
    throw new Error("no Redis on 127.0.0.1:6379 and no redis-server on PATH: install it (apt-get install redis-server) or set REDIS_URL");
  }
  log("no Redis on 127.0.0.1:6379; starting redis-server");
  const server = await startRedisServer();
  stops.push(server.stop);
  notes.push(`redis-server started at ${server.url}`);
  return server.url;
}

/** A redis-server of the test's own on a free port (also for tests that must stop Redis). */
export async function startRedisServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await redisAnswers(url))) throw new Error(`redis-server did not answer on port ${port}: is redis-server installed?`);
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

function withRedisDb(url: string, db: number): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Finds PostgreSQL and Redis the way a user's machine offers them, or starts them; throws with what to install. */
export async function startTestInfra(prefix = TEST_DATABASE_PREFIX): Promise<TestInfra> {
  const database = `${prefix}_${process.pid}`;
  const notes: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => log(`stop failed: ${String(e)}`));
  };
  try {
    const serverUrl = await findPostgres(notes, stops);
    stops.push(async () => {
      const admin = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
      await admin.connect();
      await dropRunDatabase(admin, database).finally(() => admin.end());
    });
    const { appUrl: databaseUrl, ownerUrl: ownerDatabaseUrl } = await freshDatabase(serverUrl, prefix, database);
    const redisServer = await findRedis(notes, stops);
    const claim = claimRedisDb();
    stops.push(async () => claim.release());
    const redisUrl = withRedisDb(redisServer, claim.db);
    const flushRedis = async () => {
      const redis = new Redis(redisUrl);
      await redis.flushdb().finally(() => redis.disconnect());
    };
    await flushRedis();
    // The same database and Redis database again, emptied: a suite that reads global views (the
    // dashboard's top sessions) must not depend on what an earlier suite left there.
    const reset = async () => {
      await freshDatabase(serverUrl, prefix, database);
      await flushRedis();
    };
    return { databaseUrl, ownerDatabaseUrl, redisUrl, notes, reset, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The environment the suites and the browser tests' console run with: this run's servers, a free port for the console, the test secret. */
export async function testRunEnv(infra: TestInfra): Promise<NodeJS.ProcessEnv> {
  return childEnv({
    AGENTSOC_TEST_DATABASE_URL: infra.databaseUrl,
    AGENTSOC_TEST_OWNER_DATABASE_URL: infra.ownerDatabaseUrl,
    AGENTSOC_TEST_REDIS_URL: infra.redisUrl,
    AGENTSOC_E2E_PORT: String(await freePort()),
    SOC_SECRET: testSocSecret(),
    NEXT_TELEMETRY_DISABLED: "1",
  });
}
