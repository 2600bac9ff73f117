import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { childEnv } from "../../lib/env";
import { apiTokens, callApi, consoleUrl, query, registerAgent } from "./sdk-world";

// Agents, CLI calls and a console on a machine shared with other work: generous limits, tight assertions.
test.describe.configure({ timeout: 60_000 });

const SDK_DIR = path.resolve("sdk/typescript");
const EXAMPLE = "examples/support-agent.ts";

/**
 * Runs the documented example as a user would: from the package's folder, importing
 * "@agentsoc/sdk" (the package's own build, through its exports), with tsx.
 */
function runExample(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(path.resolve("node_modules/.bin/tsx"), [EXAMPLE], { cwd: SDK_DIR, env: childEnv(env), encoding: "utf8", timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test.beforeAll(() => {
  // The package as it ships: compiled by its own tsconfig into dist/.
  execFileSync(path.resolve("node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: SDK_DIR, stdio: "inherit" });
});

test("the documented example runs against the console: its actions arrive, its canary is registered; killed, it stops, and the console shows the acknowledgement", async () => {
  test.setTimeout(120_000);
  const agent = await registerAgent("e2e-sdk-example");
  const env = { AGENTSOC_URL: consoleUrl(), AGENTSOC_INGEST_KEY: agent.key, AGENTSOC_AGENT_ID: agent.agentId, AGENTSOC_ADMIN_TOKEN: apiTokens().admin };

  const first = runExample(env);
  expect(first.stderr).not.toContain("Error");
  expect(first.status).toBe(0);
  expect(first.stdout).toContain("You are on the pro plan. Article 221: duplicate charge is refunded within 5 days.");
  const events = await query<{ action_type: string; action_name: string; input_summary: string }>(
    "SELECT action_type, action_name, input_summary FROM events WHERE agent_id = $1 ORDER BY action_sequence",
    [agent.agentId],
  );
  expect(events.map((e) => [e.action_type, e.action_name])).toEqual([
    ["decision", "plan"],
    ["tool_call", "customer_lookup"],
    ["tool_call", "kb_search"],
    ["llm_call", "claude-sonnet"],
  ]);
  expect(events[1]?.input_summary).toBe('customer_lookup("cust_2210")');
  const { canaries } = (await callApi("GET", `/api/v1/canaries?agent_id=${agent.agentId}`, apiTokens().admin)) as { canaries: { label: string }[] };
  expect(canaries.map((c) => c.label)).toEqual(["support system prompt"]);

  await callApi("PUT", `/api/v1/killswitch/agents/${agent.agentId}`, apiTokens().responder, { reason: "example drill" });
  const killed = runExample(env);
  expect(killed.status).toBe(3);
  expect(killed.stderr).toContain("stopped by AgentSOC: Agent killed: example drill");
  const { agents } = (await callApi("GET", "/api/v1/killswitch", apiTokens().responder)) as { agents: { agent_id: string; acknowledged_at: string | null }[] };
  expect(agents.find((a) => a.agent_id === agent.agentId)?.acknowledged_at).not.toBeNull();
  const [after] = await query<{ n: string }>("SELECT count(*) AS n FROM events WHERE agent_id = $1", [agent.agentId]);
  expect(after?.n).toBe("4");
});

test("docs/sdk-typescript.md shows the example exactly as it is in the repository", () => {
  const doc = readFileSync("docs/sdk-typescript.md", "utf8");
  expect(doc).toContain(readFileSync(path.join(SDK_DIR, EXAMPLE), "utf8").trim());
});
