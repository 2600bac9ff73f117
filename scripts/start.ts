import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { appConnection, appRoleSpec } from "@/db/app-role";
import { createDb } from "@/db/client";
import { ensureFirstAdmin } from "@/lib/auth";
import { childEnv, GENERATED_SECRET_FILE, launcherEnv, socSecret, socSecretConfigured } from "@/lib/env";
import { describeError } from "@/lib/errors";
import { migrateDatabase } from "@/lib/migrate-database";
import { launcherServer, NEXT_BIN } from "./lib/next-server";
import { redisAnswers } from "./lib/probes";
import { resolveDatabase } from "./lib/resolve-database";
import { cliContext } from "./lib/script-context";

/** Without SOC_SECRET, a secret of this machine's own keys the audit chain; it must outlive restarts, so it is kept. */
function ensureSecret(): void {
  if (socSecretConfigured() || existsSync(GENERATED_SECRET_FILE)) return;
  mkdirSync(path.dirname(GENERATED_SECRET_FILE), { recursive: true });
  writeFileSync(GENERATED_SECRET_FILE, randomBytes(32).toString("base64url"), { mode: 0o600 });
  log(`no SOC_SECRET: generated one in ${GENERATED_SECRET_FILE} (keep it; every app instance needs the same one)`);
}

const log = (m: string) => console.error(`[agentsoc] ${m}`);

/** Redis holds kill switches and rate limits: use REDIS_URL, else a local one, else start redis-server from PATH. */
async function resolveRedis(configured: string | undefined): Promise<{ url: string; stop: () => void }> {
  if (configured) {
    if (!(await redisAnswers(configured))) log(`WARNING: Redis at ${configured} does not answer; kill switches answer 503 until it does`);
    return { url: configured, stop: () => undefined };
  }
  const url = "redis://127.0.0.1:6379";
  if (await redisAnswers(url)) return { url, stop: () => undefined };
  if (spawnSync("which", ["redis-server"]).status !== 0) {
    log("WARNING: no Redis on 127.0.0.1:6379 and no redis-server on PATH: kill switches are unavailable.");
    log("         Install it (apt-get install redis-server) or set REDIS_URL, then restart.");
    return { url: "", stop: () => undefined };
  }
  const dir = path.join(process.cwd(), ".data", "redis");
  mkdirSync(dir, { recursive: true });
  const port = 6380;
  log(`no Redis at ${url}; starting redis-server on 127.0.0.1:${port} (data in ${dir})`);
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes"], {
    stdio: "ignore",
  });
  const local = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(local)); i++) await new Promise((r) => setTimeout(r, 100));
  return { url: local, stop: () => child.kill("SIGTERM") };
}

async function main(): Promise<void> {
  const config = launcherEnv();
  ensureSecret();
  const database = await resolveDatabase({ advertise: true });
  log(database.source === "env" ? "using PostgreSQL from DATABASE_URL" : `embedded PostgreSQL under .data/pg`);

  const handle = createDb(database.url, 2);
  const appRole = await migrateDatabase(handle.db, {
    retentionDays: config.SOC_RETENTION_DAYS,
    appRole: appRoleSpec(config.SOC_APP_DATABASE_URL, socSecret()),
  });
  // Migrations run with the owner's rights; the console itself gets a login that cannot rewrite the record.
  const app = appConnection(database.url, appRole, config.SOC_APP_DATABASE_URL);
  if (app.warning) log(`WARNING: ${app.warning}`);
  else log(`the console connects as the least-privilege role ${appRole.role}`);
  const firstAdmin = await ensureFirstAdmin({ ctx: { ...cliContext(handle.db), actor: { type: "system", id: "launcher" } } });
  await handle.close();
  // Said once now and again after the build's output, where it would otherwise have scrolled away.
  const announceFirstAdmin = () => {
    if (!firstAdmin?.one_time_password) return;
    log("no users yet: created the first admin. Sign in with these once and add your own users:");
    log(`  e-mail:   ${firstAdmin.email}`);
    log(`  password: ${firstAdmin.one_time_password}   (one-time: you choose a new one at first sign-in)`);
    log("  lost it? npm run soc -- user add --email <you> --role admin   prints a new admin's one-time password");
  };
  announceFirstAdmin();

  const redis = await resolveRedis(config.REDIS_URL);

  if (!existsSync(path.join(process.cwd(), ".next", "BUILD_ID")) || process.argv.includes("--build")) {
    log("building the console (next build)…");
    const build = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit", env: childEnv({ NEXT_TELEMETRY_DISABLED: "1" }) });
    if (build.status !== 0) throw new Error("next build failed");
  }

  const listen = launcherServer(config);
  const server = spawn(process.execPath, listen.args, {
    stdio: "inherit",
    env: childEnv({ DATABASE_URL: app.url, REDIS_URL: redis.url, NEXT_TELEMETRY_DISABLED: "1" }),
  });
  log(`console on ${listen.url}`);
  if (listen.warning) log(`WARNING: ${listen.warning}`);
  announceFirstAdmin();

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    server.kill("SIGTERM");
    redis.stop();
    await database.release();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  server.on("exit", (code) => void shutdown(code ?? 1));
}

main().catch((err: unknown) => {
  log(describeError(err));
  process.exit(1);
});
