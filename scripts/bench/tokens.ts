import { createPublicKey, verify } from "node:crypto";
import os from "node:os";
import { createDb } from "@/db/client";
import { registerAgent } from "@/lib/agents";
import { createApiToken } from "@/lib/auth";
import { benchEnv } from "@/lib/env";
import { setPolicy } from "@/lib/policy";
import { SUPPORT_AGENT_POLICY } from "@/scripts/testing/guide-policy";
import { cliContext } from "../lib/script-context";
import { startTestInfra, testSocSecret } from "../testing/infra";
import { type BenchApp, runBench, startBenchApp } from "./bench-app";
import { buildAppForBench } from "./build-app";

/**
 * bench:tokens — tool tokens through the built app's HTTP API: issue latency one at a time, issue
 * throughput with 16 requests in flight, and the time from a kill's call to a verifier that follows
 * the revocation stream hearing the token revoked.
 */
const TOKENS = benchEnv().BENCH_TOKENS ?? 2000;
const KILLS = Math.max(20, Math.floor(TOKENS / 20));
// Enough agents that none reaches its 100 live tokens: the cap is not what is measured.
const AGENTS = 200;
const IN_FLIGHT = 16;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: Number(percentile(sorted, 50).toFixed(2)), p99: Number(percentile(sorted, 99).toFixed(2)), max: Number((sorted.at(-1) ?? NaN).toFixed(2)) };
};

interface Agent {
  agentId: string;
  key: string;
}

async function main(): Promise<void> {
  buildAppForBench();
  const infra = await startTestInfra("agentsoc_bench_tokens");
  const db = createDb(infra.databaseUrl, 2);
  let app: BenchApp | null = null;
  const follower = new AbortController();
  try {
    app = await startBenchApp({ DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl, SOC_SECRET: testSocSecret(), SOC_TOOL_TOKENS_PER_MIN: "1000000" });
    const url = app.url;
    const ctx = cliContext(db.db);
    const { token: adminToken } = await createApiToken({ ctx, input: { name: "bench", role: "admin" } });
    const agents: Agent[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const agentId = `bench-tokens-${i}`;
      const registered = await registerAgent({ ctx, input: { agentId } });
      await setPolicy({ ctx, input: { agentId, policy: { ...SUPPORT_AGENT_POLICY, agent_id: agentId } } });
      agents.push({ agentId, key: registered.ingest_key });
    }

    const issue = async (agent: Agent): Promise<{ jti: string; token: string }> => {
      const res = await fetch(`${url}/api/v1/agents/${agent.agentId}/tool-tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${agent.key}`, "content-type": "application/json" },
        body: JSON.stringify({ tools: ["customer_lookup", "ticket_management"], permissions: ["read", "write"] }),
      });
      if (res.status !== 201) throw new Error(`issue answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { jti: string; token: string };
    };
    const agentAt = (i: number) => agents[i % AGENTS] as Agent;

    // The tokens really verify against the published keys.
    const sample = await issue(agentAt(0));
    const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { x: string; kid: string }[] };
    const [header, payload, signature] = sample.token.split(".");
    const kid = JSON.parse(Buffer.from(header ?? "", "base64url").toString()).kid;
    const jwk = jwks.keys.find((k) => k.kid === kid);
    const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk?.x ?? "" }, format: "jwk" });
    if (!verify(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature ?? "", "base64url"))) throw new Error("a token did not verify");

    const latency: number[] = [];
    for (let i = -50; i < TOKENS; i++) {
      const t0 = performance.now();
      await issue(agentAt(i + 50));
      if (i >= 0) latency.push(performance.now() - t0);
    }

    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < TOKENS) await issue(agentAt(next++));
      }),
    );
    const tokensPerSecond = TOKENS / ((performance.now() - started) / 1000);

    // A verifier following the stream: when did it hear each jti?
    const heard = new Map<string, number>();
    const stream = await fetch(`${url}/api/v1/tool-tokens/revocations/stream`, { signal: follower.signal });
    const reader = stream.body?.getReader();
    if (!reader) throw new Error("no revocation stream");
    let ready = false;
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.includes("event: revocations")) ready = true;
          const data = frame.split("\n").find((l) => l.startsWith("data: "));
          if (frame.includes("event: revoked") && data) {
            for (const r of (JSON.parse(data.slice(6)) as { revoked: { jti: string }[] }).revoked) heard.set(r.jti, performance.now());
          }
          end = buffer.indexOf("\n\n");
        }
      }
    })();
    while (!ready) await new Promise((r) => setTimeout(r, 10));

    const killSwitch = (method: string, agentId: string, reason: string) =>
      fetch(`${url}/api/v1/killswitch/agents/${agentId}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ reason }),
      });
    const killToVerifier: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const agent = agentAt(i);
      const { jti } = await issue(agent);
      const t0 = performance.now();
      const killed = await killSwitch("PUT", agent.agentId, `bench kill ${i}`);
      if (killed.status !== 200) throw new Error(`kill answered ${killed.status}`);
      const deadline = performance.now() + 10_000;
      while (!heard.has(jti)) {
        if (performance.now() > deadline) throw new Error(`the follower never heard ${jti} revoked`);
        await new Promise((r) => setImmediate(r));
      }
      killToVerifier.push((heard.get(jti) ?? NaN) - t0);
      const revived = await killSwitch("DELETE", agent.agentId, `bench revive ${i}`);
      if (revived.status !== 200) throw new Error(`revive answered ${revived.status}`);
    }

    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
          tokens: TOKENS,
          issue_ms_one_at_a_time: summary(latency),
          tokens_per_second_16_in_flight: Math.round(tokensPerSecond),
          kills: KILLS,
          kill_call_to_follower_heard_revocation_ms: summary(killToVerifier),
        },
        null,
        2,
      ),
    );
  } finally {
    follower.abort();
    app?.stop();
    await db.close();
    await infra.stop();
  }
}

runBench(main);
