import { execFileSync } from "node:child_process";
import { Session } from "@agentsoc/sdk";
import { expect, test } from "@playwright/test";
import { childEnv, e2eEnv } from "../../lib/env";
import { DEMO_AGENTS, playDemoTraffic } from "../../scripts/demo/demo-traffic";
import { apiTokens, callApi, consoleUrl, query } from "./sdk-world";

// Agents, CLI calls and a console on a machine shared with other work: generous limits, tight assertions.
test.describe.configure({ timeout: 60_000 });

/** How many events the demo logs per agent and per session, counted by playing it into sessions that only count. */
function expectedCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  playDemoTraffic(Date.now() / 1000, (agentId, sessionId, startedAt) => {
    const enqueue = () => {
      count(agentId);
      count(sessionId);
    };
    return new Session({ agentId, summaryChars: 200, check: () => undefined, findInOutput: () => null, warn: () => undefined, enqueue }, sessionId, {
      startedAt,
    });
  });
  return counts;
}

/** A key for the demo's support agent held by a user, as `agent add` or the API hands it out before anyone runs the demo. */
async function userHeldKey(agentId: string): Promise<{ ingest_key: string; ingest_key_id: string }> {
  const [exists] = await query("SELECT 1 FROM agents WHERE id = $1", [agentId]);
  const issued = exists
    ? await callApi("POST", `/api/v1/agents/${agentId}/keys`, apiTokens().admin, { reason: "the user's own" })
    : await callApi("POST", "/api/v1/agents", apiTokens().admin, { agent_id: agentId });
  return issued as { ingest_key: string; ingest_key_id: string };
}

test("soc demo sends its traffic through the SDK: every event is stored and the compromised session raises its alerts", async () => {
  test.setTimeout(120_000);
  const support = DEMO_AGENTS[0]?.agentId ?? "";
  const held = await userHeldKey(support);
  const stdout = execFileSync("node_modules/.bin/tsx", ["scripts/soc.ts", "demo", "--url", consoleUrl()], {
    env: childEnv({ DATABASE_URL: e2eEnv().AGENTSOC_TEST_DATABASE_URL }),
    encoding: "utf8",
  });
  const expected = expectedCounts();
  for (const agent of DEMO_AGENTS) {
    const count = expected.get(agent.agentId) ?? 0;
    expect(count).toBeGreaterThan(50);
    expect(stdout).toContain(`${agent.agentId}: {"accepted":${count},"duplicates":0,"rejected":0}`);
    const [stored] = await query<{ n: string }>("SELECT count(*) AS n FROM events WHERE agent_id = $1", [agent.agentId]);
    expect(Number(stored?.n)).toBeGreaterThanOrEqual(count);
  }
  const [compromised] = await query<{ n: string }>("SELECT count(*) AS n FROM events WHERE session_id = 'sess_support_compromised_0001'");
  expect(Number(compromised?.n)).toBe(expected.get("sess_support_compromised_0001"));
  const { alerts } = (await callApi("GET", "/api/v1/alerts?session_id=sess_support_compromised_0001&limit=100", apiTokens().admin)) as {
    alerts: { type: string }[];
  };
  for (const type of ["prompt_injection", "canary_leak", "unexpected_tool"]) expect(alerts.map((a) => a.type)).toContain(type);
  expect(stdout).toContain(`start with the compromised session: ${consoleUrl()}/sessions/sess_support_compromised_0001`);

  // The demo's own keys are revoked; the key the user holds still works.
  const live = await query<{ agent_id: string; id: string }>("SELECT agent_id, id FROM ingest_keys WHERE revoked_at IS NULL AND agent_id = ANY($1)", [
    DEMO_AGENTS.map((a) => a.agentId),
  ]);
  expect(live).toEqual([{ agent_id: support, id: held.ingest_key_id }]);
  const sent = await fetch(`${consoleUrl()}/api/v1/ingest`, {
    method: "POST",
    headers: { authorization: `Bearer ${held.ingest_key}`, "content-type": "application/json" },
    body: JSON.stringify([
      {
        timestamp: Date.now() / 1000,
        agent_id: support,
        session_id: "sess_after_demo",
        action_type: "decision",
        action_name: "plan",
        input_summary: "",
        output_summary: "",
        duration_ms: 1,
      },
    ]),
  });
  expect(sent.status, await sent.text()).toBe(200);
});
