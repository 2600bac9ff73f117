import path from "node:path";

/**
 * What `npm test` makes of each suite's JSON report, and its closing `N passed, N failed, N skipped`
 * line. A skipped or todo test fails the run and is counted among the failures too: no test may skip
 * itself, and a reader of only the first two numbers must not take a skip for a pass.
 */
export interface SuiteResult {
  name: string;
  passed: number;
  /** Failed tests, test files that failed outside their tests, and skipped tests. */
  failed: number;
  skipped: number;
  exitCode: number;
  /** What to print about failures that no test's own output names. */
  notes: string[];
}

export interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string }[] }[];
}

const VITEST_NOT_RUN = new Set(["skipped", "pending", "todo"]);

export function vitestSuite(report: VitestReport | null, exitCode: number): SuiteResult {
  const notes: string[] = [];
  let brokenFiles = 0;
  let skipped = 0;
  let skipFailures = 0;
  for (const file of report?.testResults ?? []) {
    const where = path.relative(process.cwd(), file.name);
    const notRun = file.assertionResults.filter((a) => VITEST_NOT_RUN.has(a.status));
    skipped += notRun.length;
    // A file that fails outside its tests (a beforeAll that throws, an import error) fails no test
    // and skips the rest: the file is the failure.
    if (file.status === "failed" && !file.assertionResults.some((a) => a.status === "failed")) {
      brokenFiles++;
      notes.push(`vitest: ${where} failed outside its tests: ${(file.message ?? "").split("\n")[0]}`);
      continue;
    }
    skipFailures += notRun.length;
    for (const a of notRun) notes.push(`vitest: ${where} > ${a.fullName} was ${a.status}: counted as a failure`);
  }
  return {
    name: "vitest",
    passed: report?.numPassedTests ?? 0,
    failed: (report?.numFailedTests ?? 0) + brokenFiles + skipFailures,
    skipped,
    exitCode,
    notes,
  };
}

interface PlaywrightSuiteNode {
  title: string;
  specs?: { title: string; tests: { status: string }[] }[];
  suites?: PlaywrightSuiteNode[];
}

export interface PlaywrightReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  suites?: PlaywrightSuiteNode[];
}

function skippedSpecs(suites: PlaywrightSuiteNode[], parents: string[]): string[] {
  return suites.flatMap((s) => [
    ...(s.specs ?? []).filter((spec) => spec.tests.some((t) => t.status === "skipped")).map((spec) => [...parents, s.title, spec.title].join(" > ")),
    ...skippedSpecs(s.suites ?? [], [...parents, s.title]),
  ]);
}

export function playwrightSuite(report: PlaywrightReport | null, exitCode: number): SuiteResult {
  const stats = report?.stats;
  const skipped = stats?.skipped ?? 0;
  return {
    name: "playwright",
    passed: stats?.expected ?? 0,
    failed: (stats?.unexpected ?? 0) + (stats?.flaky ?? 0) + skipped,
    skipped,
    exitCode,
    notes: skippedSpecs(report?.suites ?? [], []).map((title) => `playwright: ${title} was skipped: counted as a failure`),
  };
}

/** A whole-tree check (type-check, lint) counts as one test: passed when the command exits 0. */
export function checkSuite(name: string, exitCode: number): SuiteResult {
  return { name, passed: exitCode === 0 ? 1 : 0, failed: exitCode === 0 ? 0 : 1, skipped: 0, exitCode, notes: [] };
}

/** The closing lines over all suites, the last one `N passed, N failed, N skipped`, and the run's exit code. */
export function summarize(results: SuiteResult[]): { lines: string[]; exitCode: number } {
  const lines = results.flatMap((r) => r.notes);
  for (const r of results) lines.push(`${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (exit ${r.exitCode})`);
  const broken = results.filter((r) => r.exitCode !== 0 && r.failed === 0);
  for (const r of broken) lines.push(`${r.name} exited ${r.exitCode} without a failing test: counted as a failure`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0) + broken.length;
  const skipped = results.reduce((n, r) => n + r.skipped, 0);
  lines.push(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return { lines, exitCode: failed === 0 && passed > 0 ? 0 : 1 };
}
