import os from "node:os";
import Redis from "ioredis";
import { createDb } from "@/db/client";
import { registerAgent } from "@/lib/agents";
import { createApiToken } from "@/lib/auth";
import { benchEnv } from "@/lib/env";
import { cliContext } from "../lib/script-context";
import { startTestInfra } from "../testing/infra";
import { type BenchApp, runBench, startBenchApp } from "./bench-app";
import { buildAppForBench } from "./build-app";

/**
 * bench:killswitch — 1,000 kills through the HTTP API of the built app: time from the call to a
 * subscriber on agent:killswitch:events seeing the message, and to the hash being readable.
 */
const KILLS = benchEnv().BENCH_KILLS ?? 1000;
const AGENTS = 50;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: Number(percentile(sorted, 50).toFixed(2)), p99: Number(percentile(sorted, 99).toFixed(2)), max: Number((sorted.at(-1) ?? NaN).toFixed(2)) };
};

async function main(): Promise<void> {
  buildAppForBench();
  const infra = await startTestInfra("agentsoc_bench");
  const db = createDb(infra.databaseUrl, 2);
  const subscriber = new Redis(infra.redisUrl);
  const reader = new Redis(infra.redisUrl);
  let app: BenchApp | null = null;
  try {
    app = await startBenchApp({ DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl });
    const url = app.url;
    const ctx = cliContext(db.db);
    const { token } = await createApiToken({ ctx, input: { name: "bench", role: "admin" } });
    const agents: string[] = [];
    for (let i = 0; i < AGENTS; i++) agents.push((await registerAgent({ ctx, input: { agentId: `bench-kill-${i}` } })).agent_id);

    const seen = new Map<string, number>();
    await subscriber.subscribe("agent:killswitch:events");
    subscriber.on("message", (_c: string, message: string) => {
      const parsed = JSON.parse(message) as { action: string; agent_id?: string; reason?: string };
      if (parsed.action === "kill" && parsed.reason) seen.set(parsed.reason, performance.now());
    });

    const call = (method: string, agentId: string, reason: string) =>
      fetch(`${url}/api/v1/killswitch/agents/${agentId}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ reason }),
      });

    const toSubscriber: number[] = [];
    const toReadable: number[] = [];
    const apiLatency: number[] = [];
    for (let i = -20; i < KILLS; i++) {
      const agentId = agents[((i % AGENTS) + AGENTS) % AGENTS] ?? "";
      const reason = `bench kill ${i}`;
      const t0 = performance.now();
      const res = await call("PUT", agentId, reason);
      const answered = performance.now();
      if (res.status !== 200) throw new Error(`kill answered ${res.status}: ${await res.text()}`);
      const fields = await reader.hgetall(`agent:killswitch:${agentId}`);
      const readable = performance.now();
      if (fields.reason !== reason) throw new Error(`hash not readable after the API answered (${JSON.stringify(fields)})`);
      for (let w = 0; w < 500 && !seen.has(reason); w++) await new Promise((r) => setImmediate(r));
      const heard = seen.get(reason);
      if (heard === undefined) throw new Error(`subscriber never saw ${reason}`);
      if (i >= 0) {
        apiLatency.push(answered - t0);
        toReadable.push(readable - t0);
        toSubscriber.push(heard - t0);
      }
      const revive = await call("DELETE", agentId, `bench revive ${i}`);
      if (revive.status !== 200) throw new Error(`revive answered ${revive.status}`);
    }
    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
          kills: KILLS,
          api_call_ms: summary(apiLatency),
          call_to_subscriber_ms: summary(toSubscriber),
          call_to_hgetall_ms: summary(toReadable),
        },
        null,
        2,
      ),
    );
  } finally {
    subscriber.disconnect();
    reader.disconnect();
    app?.stop();
    await db.close();
    await infra.stop();
  }
}

runBench(main);
