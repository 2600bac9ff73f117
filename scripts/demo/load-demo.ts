import { Client } from "@agentsoc/sdk";
import { agentExists } from "@/db/queries/ingest-keys";
import { issueIngestKey, type RegisteredAgent, registerAgent, revokeIngestKey } from "@/lib/agents";
import type { Ctx } from "@/lib/context";
import { setBaseline } from "@/lib/detect";
import { shown } from "../lib/terminal-text";
import { COMPROMISED_SESSION_ID, DEMO_AGENTS, playDemoTraffic } from "./demo-traffic";

/**
 * A key of the demo's own for each demo agent, revoked once the traffic is in: keys a user holds
 * for an agent of the same name (from `agent add`) are never touched.
 */
async function demoKeyFor(ctx: Ctx, agentId: string, name: string): Promise<RegisteredAgent> {
  return (await agentExists(ctx.db, agentId))
    ? issueIngestKey({ ctx, input: { agentId, reason: "demo data load" } })
    : registerAgent({ ctx, input: { agentId, displayName: name } });
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
  const keys: RegisteredAgent[] = [];
  try {
    return await sendDemoTraffic(ctx, consoleUrl, keys);
  } finally {
    for (const key of keys) {
      await revokeIngestKey({ ctx, input: { agentId: key.agent_id, keyId: key.ingest_key_id, reason: "demo data load finished" } });
    }
  }
}

async function sendDemoTraffic(ctx: Ctx, consoleUrl: string, keys: RegisteredAgent[]): Promise<string> {
  const clients = new Map<string, Client>();
  for (const agent of DEMO_AGENTS) {
    const key = await demoKeyFor(ctx, agent.agentId, agent.name);
    keys.push(key);
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
    clients.set(
      agent.agentId,
      new Client({ url: consoleUrl, ingestKey: key.ingest_key, agentId: agent.agentId, watchKillSwitch: false, batchSize: 5000, logger: null }),
    );
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
  return [
    shown`demo traffic loaded into ${consoleUrl}`,
    ...lines,
    "each demo agent sent with a key of its own, revoked now that the traffic is in; no other key was touched",
    shown`start with the compromised session: ${consoleUrl}/sessions/${COMPROMISED_SESSION_ID}`,
  ].join("\n");
}
