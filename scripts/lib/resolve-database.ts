import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { launcherEnv } from "@/lib/env";
import { startEmbeddedPostgres } from "./embedded-pg";
import { isProcessAlive } from "./probes";

const DATA_DIR = path.join(process.cwd(), ".data");
const RUNTIME_FILE = path.join(DATA_DIR, "runtime.json");
export const EMBEDDED_DATABASE = "agentsoc";

export interface ResolvedDatabase {
  url: string;
  source: "env" | "launcher" | "embedded";
  /** Stops the embedded server if this process started it. */
  release(): Promise<void>;
}

/** The database a running launcher's embedded server offers, if a launcher is alive. */
function launcherDatabase(): string | null {
  if (!existsSync(RUNTIME_FILE)) return null;
  try {
    const runtime = JSON.parse(readFileSync(RUNTIME_FILE, "utf8")) as { pid?: number; databaseUrl?: string };
    if (runtime.pid && runtime.databaseUrl && isProcessAlive(runtime.pid)) return runtime.databaseUrl;
  } catch {
    // A torn file from a killed launcher is as good as none.
  }
  return null;
}

/**
 * DATABASE_URL when set; else the embedded server of a running launcher; else this process
 * starts the embedded server under .data/ (and the caller releases it when done).
 */
export async function resolveDatabase(opts: { advertise?: boolean } = {}): Promise<ResolvedDatabase> {
  const config = launcherEnv();
  const fromEnv = config.DATABASE_URL;
  if (fromEnv) return { url: fromEnv, source: "env", release: async () => undefined };
  const shared = launcherDatabase();
  if (shared) return { url: shared, source: "launcher", release: async () => undefined };

  mkdirSync(DATA_DIR, { recursive: true });
  const server = await startEmbeddedPostgres({
    dataDir: path.join(DATA_DIR, "pg"),
    port: config.SOC_EMBEDDED_PG_PORT,
    databases: [EMBEDDED_DATABASE],
  });
  const url = server.url(EMBEDDED_DATABASE);
  if (opts.advertise) writeFileSync(RUNTIME_FILE, JSON.stringify({ pid: process.pid, databaseUrl: url }), { mode: 0o600 });
  return {
    url,
    source: "embedded",
    release: async () => {
      if (opts.advertise) rmSync(RUNTIME_FILE, { force: true });
      await server.stop();
    },
  };
}
