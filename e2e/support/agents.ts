import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";

/** Registers an agent the way an operator does, through the CLI, against the e2e database. */
export function registerAgentWithCli(prefix: string): { agentId: string; key: string } {
  const agentId = `${prefix}-${randomUUID().slice(0, 8)}`;
  const stdout = execFileSync("node_modules/.bin/tsx", ["scripts/soc.ts", "agent", "add", agentId, "--json"], {
    env: { ...process.env, DATABASE_URL: process.env.AGENTSOC_TEST_DATABASE_URL },
    encoding: "utf8",
  });
  const parsed = JSON.parse(stdout) as { agent_id: string; ingest_key: string };
  return { agentId: parsed.agent_id, key: parsed.ingest_key };
}
