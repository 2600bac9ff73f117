import { spawn } from "node:child_process";
import { childEnv, launcherEnv } from "@/lib/env";
import { launcherServer } from "./lib/next-server";

const log = (m: string) => console.error(`[agentsoc] ${m}`);

/**
 * `npm run start:next`: the built console alone, with the environment as given (DATABASE_URL, the
 * app role's URL, REDIS_URL…) and no migrations, on the address the launcher would use: 127.0.0.1,
 * or SOC_LISTEN_HOST (with the same warning beyond loopback), and PORT.
 */
function main(): void {
  const listen = launcherServer(launcherEnv());
  const server = spawn(process.execPath, listen.args, { stdio: "inherit", env: childEnv({}) });
  log(`console on ${listen.url}`);
  if (listen.warning) log(`WARNING: ${listen.warning}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
  main();
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
