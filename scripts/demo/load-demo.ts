import { Client } from "@agentsoc/sdk";
import { agentExists } from "@/db/queries/ingest-keys";
import { issueIngestKey, registerAgent } from "@/lib/agents";
import type { Ctx } from "@/lib/context";
import { setBaseline } from "@/lib/detect";
import { shown } from "../lib/terminal-text";
import { DEMO_AGENTS, playDemoTraffic } from "./demo-traffic";

/** A demo agent that exists already gets its key rotated, so repeated demo loads leave one live key each. */
async function keyFor(ctx: Ctx, agentId: string, name: string): Promise<string> {
  const registered = (await agentExists(ctx.db, agentId))
    ? await issueIngestKey({ ctx, input: { agentId, reason: "demo data load", revokeExisting: true } })
    : await registerAgent({ ctx, input: { agentId, displayName: name } });
  return registered.ingest_key;
}

/** How long the demo waits for the console to take each agent's events. */
const DELIVERY_TIMEOUT_MS = 30_000;

/** Waits until the client delivered everything, or the console has refused every try three times (it is not running). */
async function deliveredOrHopeless(client: Client): Promise<void> {
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  while (!(await client.flush(250)) && Date.now() < deadline) {
    const stats = client.stats();
    if (stats.delivered === 0 && stats.retries >= 3) return;
  }
}

/**
 * Sends demo traffic the way an agent does, through the TypeScript SDK and the real ingest endpoint,
 * so it is redacted and stored like any agent's. Each agent's traffic goes in one batch.
 */
export async function loadDemo(ctx: Ctx, consoleUrl: string): Promise<string> {
  const clients = new Map<string, Client>();
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
    // A loader, not an agent: it never acts, so it does not follow the kill switch.
    clients.set(agent.agentId, new Client({ url: consoleUrl, ingestKey: key, agentId: agent.agentId, watchKillSwitch: false, batchSize: 5000, logger: null }));
  }
  playDemoTraffic(Date.now() / 1000, (agentId, sessionId, startedAt) => {
    const client = clients.get(agentId);
    if (!client) throw new Error(`no client for demo agent ${agentId}`);
    return client.session(sessionId, { startedAt });
  });

  const lines: string[] = [];
  for (const [agentId, client] of clients) {
    await deliveredOrHopeless(client);
    const delivered = await client.close(0);
    const stats = client.stats();
    if (!delivered || stats.rejected > 0) {
      const problem = stats.lastError ?? `${stats.queued + stats.abandoned} events not delivered`;
      throw new Error(`ingest for ${agentId} through ${consoleUrl} failed (start the console first, or pass --url): ${problem}`);
    }
    lines.push(shown`${agentId}: ${JSON.stringify({ accepted: stats.delivered, duplicates: stats.duplicates, rejected: stats.rejected })}`);
  }
  return `${shown`demo traffic loaded into ${consoleUrl}`}\n${lines.join("\n")}`;
}
