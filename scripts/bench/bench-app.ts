import { spawn } from "node:child_process";
import { childEnv } from "@/lib/env";
import { nextStartArgs } from "../lib/next-server";
import { freePort } from "../testing/infra";

export interface BenchApp {
  url: string;
  /** The app server's process, for benches that read the CPU it used. */
  pid: number | undefined;
  stop(): void;
}

/** The built app on a free loopback port with these settings, once it answers; it fails loudly if it never does. */
export async function startBenchApp(settings: Record<string, string>, timeoutMs = 60_000): Promise<BenchApp> {
  const port = await freePort();
  const server = spawn(process.execPath, nextStartArgs(port, "127.0.0.1"), {
    stdio: ["ignore", "ignore", "inherit"],
    env: childEnv({ NEXT_TELEMETRY_DISABLED: "1", ...settings }),
  });
  const app = { url: `http://127.0.0.1:${port}`, pid: server.pid, stop: () => void server.kill("SIGTERM") };
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(`${app.url}/sign-in`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (server.exitCode !== null) throw new Error(`the app exited (${server.exitCode}) before it answered`);
    if (Date.now() > deadline) {
      app.stop();
      throw new Error(`${app.url}/sign-in did not answer within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return app;
}

/** Runs a benchmark's main and exits with its outcome (open pools and servers must not keep it alive). */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`[bench] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
