import { spawn } from "node:child_process";
import type { Db } from "@/db/client";
import { registerAgent } from "@/lib/agents";
import { issueCanary, setBaseline } from "@/lib/detect";
import { cliContext } from "../lib/script-context";

/** Limits the bench traffic keeps, so every detector runs on every event without an alert per event. */
export const BENCH_BASELINE = {
  expected_tools: ["customer_lookup", "kb_search", "ticket_update", "send_email", "web_search", "run_python"],
  max_tool_calls_per_session: 1_000_000,
  max_llm_calls_per_session: 1_000_000,
  max_session_duration_seconds: 86_400,
  max_cost_per_session_usd: 10_000,
  max_tool_call_rate_per_minute: 100_000,
  forbidden_patterns_in_output: ["system prompt", "you are an ai", "my instructions", "BEGIN PRIVATE KEY"],
};

/** Registers the bench's agents with a configured baseline and a canary each, and returns their ingest keys. */
export async function setUpBenchAgents(db: Db, count: number, prefix = "bench-agent"): Promise<{ agentId: string; key: string }[]> {
  const keys = [];
  for (let i = 0; i < count; i++) {
    const agentId = `${prefix}-${i}`;
    keys.push({ agentId, key: (await registerAgent({ ctx: cliContext(db), input: { agentId } })).ingest_key });
    await setBaseline({ ctx: cliContext(db), input: { agentId, baseline: BENCH_BASELINE } });
    await issueCanary({ ctx: cliContext(db), input: { agent_id: agentId, placement: "system_prompt", label: "bench prompt" } });
  }
  return keys;
}

export interface LoadResult {
  requests2xx: number;
  non2xx: number;
  duration: number;
  p50: number;
  p99: number;
}

/** Runs the load generator in its own process against one door of the app. */
export async function runLoad(opts: {
  url: string;
  keys: { agentId: string; key: string }[];
  requests: number;
  batch: number;
  connections: number;
  door?: "native" | "otlp";
}): Promise<LoadResult> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/ingest-load.ts", JSON.stringify(opts)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  if (code !== 0) throw new Error(`load generator exited ${code}`);
  const result = JSON.parse(out) as { "2xx": number; non2xx: number; elapsed_s: number; latency: { p50: number; p99: number } };
  return { requests2xx: result["2xx"], non2xx: result.non2xx, duration: result.elapsed_s, p50: result.latency.p50, p99: result.latency.p99 };
}
