import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../lib/embedded-pg";
import { isProcessAlive } from "../lib/probes";
import { freePort } from "../testing/infra";

const dataDir = path.join(process.cwd(), ".data", `test-embedded-${process.pid}`);

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(`${dataDir}.password`, { force: true });
});

describe("embedded PostgreSQL", () => {
  it("starts as root, and recovers from a launcher killed with SIGKILL that left its postmaster running", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/testing/embedded-pg-child.ts", dataDir, String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited ${code} before PostgreSQL was ready`)));
    });
    const stalePid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(isProcessAlive(stalePid)).toBe(true);

    const server = await startEmbeddedPostgres({ dataDir, port, databases: ["agentsoc"], log: () => undefined });
    try {
      expect(isProcessAlive(stalePid)).toBe(false);
      const client = new pg.Client({ connectionString: server.url("agentsoc") });
      await client.connect();
      const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      await client.end();
      expect(Number(rows[0]?.v)).toBeGreaterThan(150000);
    } finally {
      await server.stop();
    }
  }, 90_000);
});
