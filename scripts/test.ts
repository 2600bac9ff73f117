import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { NEXT_BIN } from "./lib/next-server";
import { checkSuite, type PlaywrightReport, playwrightSuite, type SuiteResult, summarize, type VitestReport, vitestSuite } from "./lib/test-summary";
import { startTestInfra, testRunEnv } from "./testing/infra";

/**
 * `npm test`: finds or starts PostgreSQL and Redis once, type-checks and lints the tree, then runs the unit and integration tests
 * (vitest), builds the app and runs the browser tests (Playwright) against it, and ends with one
 * plain `N passed, N failed, N skipped` line over all suites (scripts/lib/test-summary.ts).
 */
const RESULTS = path.join(process.cwd(), ".data", "test-results");
const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);

function run(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  return result.status ?? 1;
}

function readJson<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : null;
}

function runVitest(env: NodeJS.ProcessEnv): SuiteResult {
  const out = path.join(RESULTS, "vitest.json");
  const exitCode = run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`], env);
  return vitestSuite(readJson<VitestReport>(out), exitCode);
}

function runPlaywright(env: NodeJS.ProcessEnv): SuiteResult {
  const out = path.join(RESULTS, "playwright.json");
  const exitCode = run(bin("playwright"), ["test", "--reporter=list,json"], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
  return playwrightSuite(readJson<PlaywrightReport>(out), exitCode);
}

async function main(): Promise<number> {
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const infra = await startTestInfra();
  console.error(`[test] servers: ${infra.notes.join("; ")}`);
  const env = await testRunEnv(infra);
  const results: SuiteResult[] = [];
  try {
    results.push(checkSuite("typecheck (tsc --noEmit)", run(bin("tsc"), ["--noEmit"], env)));
    results.push(checkSuite("lint and format (biome ci)", run(bin("biome"), ["ci", "."], env)));
    results.push(runVitest(env));
    const build = run(process.execPath, [NEXT_BIN, "build"], env);
    if (build !== 0) results.push({ name: "next build", passed: 0, failed: 1, skipped: 0, exitCode: build, notes: [] });
    else {
      // The browser tests start from an empty console, as a new install would, whatever vitest left.
      await infra.reset();
      results.push(runPlaywright(env));
    }
  } finally {
    await infra.stop();
  }

  const summary = summarize(results);
  for (const line of summary.lines) console.log(line);
  return summary.exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[test] ${err instanceof Error ? err.message : String(err)}`);
    console.log("0 passed, 1 failed, 0 skipped");
    process.exit(1);
  },
);
