import { agentExists } from "@/db/queries/ingest-keys";
import { issueIngestKey, registerAgent } from "@/lib/agents";
import type { Ctx } from "@/lib/context";
import { setBaseline } from "@/lib/detect";
import { shown } from "../lib/terminal-text";
import { buildDemoTraffic, DEMO_AGENTS } from "./demo-traffic";

/** A demo agent that exists already gets its key rotated, so repeated demo loads leave one live key each. */
async function keyFor(ctx: Ctx, agentId: string, name: string): Promise<string> {
  const registered = (await agentExists(ctx.db, agentId))
    ? await issueIngestKey({ ctx, input: { agentId, reason: "demo data load", revokeExisting: true } })
    : await registerAgent({ ctx, input: { agentId, displayName: name } });
  return registered.ingest_key;
}

/** Sends demo traffic through the real ingest endpoint, so it is redacted and stored like any agent's. */
export async function loadDemo(ctx: Ctx, consoleUrl: string): Promise<string> {
  const traffic = buildDemoTraffic(Date.now() / 1000);
  const lines: string[] = [];
  for (const agent of DEMO_AGENTS) {
    const key = await keyFor(ctx, agent.agentId, agent.name);
    // The guide's example limits, so the compromised session shows the baseline detectors at work.
    await setBaseline({
      ctx,
      input: {
        agentId: agent.agentId,
        baseline: {
          expected_tools: agent.tools.map((t) => t.name),
          max_tool_calls_per_session: 50,
          max_llm_calls_per_session: 30,
          max_session_duration_seconds: 1800,
          max_cost_per_session_usd: 2,
          max_tool_call_rate_per_minute: 15,
          forbidden_patterns_in_output: ["system prompt", "you are an ai", "my instructions"],
        },
      },
    });
    const events = traffic.get(agent.agentId) ?? [];
    let res: Response;
    try {
      res = await fetch(new URL("/api/v1/ingest", consoleUrl), {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ events }),
      });
    } catch (err) {
      throw new Error(`cannot reach the console at ${consoleUrl} (start it first, or pass --url): ${(err as Error).message}`);
    }
    const body = await res.text();
    if (res.status !== 200) throw new Error(`ingest for ${agent.agentId} answered ${res.status}: ${body}`);
    lines.push(shown`${agent.agentId}: ${body}`);
  }
  return `${shown`demo traffic loaded into ${consoleUrl}`}\n${lines.join("\n")}`;
}
