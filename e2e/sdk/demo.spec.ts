import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { Session } from "@agentsoc/sdk";
import { DEMO_AGENTS, playDemoTraffic } from "../../scripts/demo/demo-traffic";
import { childEnv, e2eEnv } from "../../lib/env";
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
    return new Session({ agentId, summaryChars: 200, check: () => undefined, findInOutput: () => null, warn: () => undefined, enqueue }, sessionId, { startedAt });
  });
  return counts;
}

test("soc demo sends its traffic through the SDK: every event is stored and the compromised session raises its alerts", async () => {
  test.setTimeout(120_000);
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
  const { alerts } = (await callApi("GET", "/api/v1/alerts?session_id=sess_support_compromised_0001&limit=100", apiTokens().admin)) as { alerts: { type: string }[] };
  for (const type of ["prompt_injection", "canary_leak", "unexpected_tool"]) expect(alerts.map((a) => a.type)).toContain(type);
});
