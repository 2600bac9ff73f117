import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";
import { childEnv } from "../../lib/env";
import { consoleUrl, query, registerAgent } from "./sdk-world";

// Agents, CLI calls and a console on a machine shared with other work: generous limits, tight assertions.
test.describe.configure({ timeout: 60_000 });

/** Runs the fixture agent in a process of its own; resolves with its exit code, output, and how long it lived after its code returned. */
function runAgent(env: Record<string, string>): Promise<{ code: number | null; stderr: string; msAfterReturn: number }> {
  const child = spawn("node_modules/.bin/tsx", ["e2e/sdk/fixtures/exiting-agent.mts"], { env: childEnv(env), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      const returnedAt = Number(/logged; returning at (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
      resolve({ code, stderr, msAfterReturn: Date.now() - returnedAt });
    }),
  );
}

test("an agent that just returns still delivers what it logged, and the SDK does not keep its process alive", async () => {
  const agent = await registerAgent("e2e-sdk-exit");
  const run = await runAgent({
    AGENTSOC_URL: consoleUrl(),
    AGENTSOC_INGEST_KEY: agent.key,
    AGENTSOC_AGENT_ID: agent.agentId,
    EVENTS: "300",
    SESSION_ID: "sess_exit",
  });
  expect(run.stderr).toContain("ready: true");
  expect(run.code).toBe(0);
  const [stored] = await query<{ n: string }>("SELECT count(DISTINCT metadata->>'n') AS n FROM events WHERE agent_id = $1 AND session_id = 'sess_exit'", [
    agent.agentId,
  ]);
  expect(stored?.n).toBe("300");
  // The status stream was open the whole time; the process ended as soon as the events were in.
  expect(run.msAfterReturn).toBeLessThan(5000);
});

test("with the console unreachable, exit waits no longer than exitFlushTimeoutMs and says what was lost", async () => {
  const run = await runAgent({
    AGENTSOC_URL: "http://127.0.0.1:9",
    AGENTSOC_INGEST_KEY: "soc_ik_unused",
    AGENTSOC_AGENT_ID: "nobody",
    EVENTS: "50",
    EXIT_FLUSH_MS: "1500",
    READY_MS: "300",
  });
  expect(run.stderr).toContain("ready: false");
  expect(run.stderr).toContain("50 events were not delivered before the deadline and are lost");
  expect(run.code).toBe(0);
  expect(run.msAfterReturn).toBeGreaterThanOrEqual(1400);
  expect(run.msAfterReturn).toBeLessThan(3500);
});
