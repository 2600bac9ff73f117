import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { inject } from "vitest";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

function soc(args: string[]) {
  return run("node_modules/.bin/tsx", ["scripts/soc.ts", ...args], {
    env: { ...process.env, DATABASE_URL: inject("databaseUrl") },
  });
}

describe("npm run soc -- agent", () => {
  it("add --json prints exactly one JSON object on stdout with a usable key", async () => {
    const agentId = `cli-${randomUUID().slice(0, 8)}`;
    const { stdout } = await soc(["agent", "add", agentId, "--json"]);
    const parsed = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(["agent_id", "ingest_key"]);
    expect(parsed.agent_id).toBe(agentId);
    expect(stdout.trim().split("\n")).toHaveLength(1);

    const { stdout: listed } = await soc(["agent", "list", "--json"]);
    const agents = (JSON.parse(listed) as { agents: { agent_id: string }[] }).agents;
    expect(agents.map((a) => a.agent_id)).toContain(agentId);
  }, 30_000);

  it("exits non-zero with the reason when the agent exists", async () => {
    const agentId = `cli-${randomUUID().slice(0, 8)}`;
    await soc(["agent", "add", agentId, "--json"]);
    const failure = await soc(["agent", "add", agentId, "--json"]).then(
      () => null,
      (err: { code: number; stderr: string; stdout: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`CONFLICT: Agent ${agentId} is already registered`);
    expect(failure?.stdout).toBe("");
  }, 30_000);

  it("retention refuses a window under one day instead of dropping today's events", async () => {
    for (const days of ["--days=0", "--days=-1", "--days=abc"]) {
      const failure = await soc(["retention", days]).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain("--days must be a whole number from 1 to 3650");
    }
  }, 30_000);
});
