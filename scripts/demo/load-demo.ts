import { agentExists } from "@/db/queries/ingest-keys";
import { issueIngestKey, registerAgent } from "@/lib/agents";
import type { Ctx } from "@/lib/context";
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
    lines.push(`${agent.agentId}: ${body}`);
  }
  return `demo traffic loaded into ${consoleUrl}\n${lines.join("\n")}`;
}
