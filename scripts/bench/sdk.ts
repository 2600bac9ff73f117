import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { createDb } from "@/db/client";
import { createApiToken } from "@/lib/auth";
import { benchEnv, childEnv } from "@/lib/env";
import { cliContext } from "../lib/script-context";
import { startTestInfra } from "../testing/infra";
import { type BenchApp, runBench, startBenchApp } from "./bench-app";
import { buildAppForBench } from "./build-app";

/**
 * bench:sdk — the Python SDK against the built app: events per second one Python process logs with
 * the sender keeping up, the CPU that costs per 1,000 events, and the time from a kill's API call to
 * AgentKilled in the agent (over the status stream, and in Redis mode). The measuring is done by
 * scripts/bench/sdk_python_bench.py in Debian's /usr/bin/python3.
 */
const PYTHON = "/usr/bin/python3";
const DRIVER = path.join(process.cwd(), "scripts", "bench", "sdk_python_bench.py");

function runDriver(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [DRIVER], { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${DRIVER} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const knobs = benchEnv();
  buildAppForBench();
  const infra = await startTestInfra("agentsoc_bench");
  const db = createDb(infra.databaseUrl, 2);
  let app: BenchApp | null = null;
  try {
    app = await startBenchApp({ DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl });
    const { token } = await createApiToken({ ctx: cliContext(db.db), input: { name: "bench-sdk", role: "admin" } });
    const out = await runDriver(
      childEnv({
        BENCH_SDK_URL: app.url,
        BENCH_SDK_ADMIN_TOKEN: token,
        BENCH_SDK_REDIS_URL: infra.redisUrl,
        BENCH_SDK_EVENTS: String(knobs.BENCH_SDK_EVENTS ?? 100_000),
        BENCH_SDK_KILLS: String(knobs.BENCH_KILLS ?? 200),
        PYTHONPATH: "",
      }),
    );
    const measured = JSON.parse(out) as Record<string, unknown>;
    const load = os.loadavg().map((l) => l.toFixed(1));
    console.log(
      JSON.stringify({ machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${load.join(" ")}`, ...measured }, null, 2),
    );
  } finally {
    app?.stop();
    await db.close();
    await infra.stop();
  }
}

runBench(main);
