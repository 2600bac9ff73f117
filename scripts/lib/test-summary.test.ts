import { describe, expect, it } from "vitest";
import { checkSuite, playwrightSuite, summarize, type VitestReport, vitestSuite } from "./test-summary";

const file = (name: string, status: string, tests: [string, string][], message?: string): VitestReport["testResults"][number] => ({
  name: `${process.cwd()}/${name}`,
  status,
  message,
  assertionResults: tests.map(([fullName, s]) => ({ fullName, status: s })),
});

describe("npm test's summary", () => {
  it("counts a skipped or todo vitest test as skipped and as a failure, naming it", () => {
    const suite = vitestSuite(
      {
        numPassedTests: 2,
        numFailedTests: 1,
        testResults: [
          file("lib/a.test.ts", "passed", [
            ["a works", "passed"],
            ["a skips", "skipped"],
            ["a later", "todo"],
          ]),
          file("lib/b.test.ts", "failed", [
            ["b works", "passed"],
            ["b breaks", "failed"],
          ]),
        ],
      },
      1,
    );
    expect(suite).toMatchObject({ passed: 2, failed: 3, skipped: 2 });
    expect(suite.notes).toEqual([
      "vitest: lib/a.test.ts > a skips was skipped: counted as a failure",
      "vitest: lib/a.test.ts > a later was todo: counted as a failure",
    ]);
  });

  it("counts a file that failed outside its tests once, not once more per test it could not run", () => {
    const suite = vitestSuite(
      {
        numPassedTests: 0,
        numFailedTests: 0,
        testResults: [
          file(
            "lib/__tests__/c.test.ts",
            "failed",
            [
              ["c one", "skipped"],
              ["c two", "skipped"],
            ],
            "Error: setup down\n  at …",
          ),
        ],
      },
      1,
    );
    expect(suite).toMatchObject({ passed: 0, failed: 1, skipped: 2 });
    expect(suite.notes).toEqual(["vitest: lib/__tests__/c.test.ts failed outside its tests: Error: setup down"]);
  });

  it("counts Playwright's skipped tests as failures and names them", () => {
    const suite = playwrightSuite(
      {
        stats: { expected: 5, unexpected: 0, flaky: 0, skipped: 1 },
        suites: [
          {
            title: "auth/roles.spec.ts",
            specs: [{ title: "a viewer signs in", tests: [{ status: "expected" }] }],
            suites: [{ title: "admin", specs: [{ title: "adds a user", tests: [{ status: "skipped" }] }] }],
          },
        ],
      },
      0,
    );
    expect(suite).toMatchObject({ passed: 5, failed: 1, skipped: 1 });
    expect(suite.notes).toEqual(["playwright: auth/roles.spec.ts > admin > adds a user was skipped: counted as a failure"]);
  });

  it("ends with `N passed, N failed, N skipped` and fails the run on a skip alone", () => {
    const clean = summarize([
      { name: "vitest", passed: 10, failed: 0, skipped: 0, exitCode: 0, notes: [] },
      { name: "playwright", passed: 4, failed: 0, skipped: 0, exitCode: 0, notes: [] },
    ]);
    expect(clean).toEqual({
      exitCode: 0,
      lines: ["vitest: 10 passed, 0 failed, 0 skipped (exit 0)", "playwright: 4 passed, 0 failed, 0 skipped (exit 0)", "14 passed, 0 failed, 0 skipped"],
    });

    const skipping = summarize([
      { name: "vitest", passed: 10, failed: 1, skipped: 1, exitCode: 0, notes: ["vitest: x > y was skipped: counted as a failure"] },
    ]);
    expect(skipping.exitCode).toBe(1);
    expect(skipping.lines.at(-1)).toBe("10 passed, 1 failed, 1 skipped");
  });

  it("fails a suite that exits non-zero without a failing test, and a run where nothing passed", () => {
    const crashed = summarize([{ name: "playwright", passed: 3, failed: 0, skipped: 0, exitCode: 1, notes: [] }]);
    expect(crashed.exitCode).toBe(1);
    expect(crashed.lines.slice(-2)).toEqual(["playwright exited 1 without a failing test: counted as a failure", "3 passed, 1 failed, 0 skipped"]);
    expect(summarize([{ name: "vitest", passed: 0, failed: 0, skipped: 0, exitCode: 0, notes: [] }]).exitCode).toBe(1);
  });

  it("counts a whole-tree check as one test that passes only on exit 0", () => {
    expect(summarize([checkSuite("typecheck", 0), checkSuite("lint", 2)]).lines.at(-1)).toBe("1 passed, 1 failed, 0 skipped");
  });
});
