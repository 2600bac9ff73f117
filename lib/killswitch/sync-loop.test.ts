import { describe, expect, it } from "vitest";
import type { ReconcileReport } from "./reconcile";
import { syncPassLogger } from "./sync-loop";

const report = (overrides: Partial<ReconcileReport> = {}): ReconcileReport => ({
  skipped: false,
  restored: [],
  handKills: [],
  handRevives: [],
  ignoredKeys: [],
  failed: [],
  sharing: null,
  ...overrides,
});

describe("what the server log says about the sync", () => {
  it("warns when Redis is shared with another installation, again every ten minutes while it lasts, and when it ends", () => {
    const lines: string[] = [];
    let now = 0;
    const onPass = syncPassLogger({ log: (l) => lines.push(`log ${l}`), error: (l) => lines.push(`error ${l}`) }, () => now);
    const shared = report({ sharing: { installationId: "aaaa", marker: { kind: "foreign", installationId: "bbbb", setAt: null }, others: [] } });
    onPass({ report: shared });
    onPass({ report: shared });
    expect(lines).toEqual([
      expect.stringMatching(/^error \[killswitch\] WARNING Redis is shared with another console: .*bbbb.*this console is installation aaaa/),
    ]);
    now = 10 * 60_000;
    onPass({ report: shared });
    expect(lines).toHaveLength(2);
    onPass({ report: report() });
    expect(lines.at(-1)).toBe("log [killswitch] Redis is no longer shared with another installation");
  });

  it("names ignored keys and each change it could not record, and a sync that fails, once each", () => {
    const lines: string[] = [];
    const onPass = syncPassLogger({ log: (l) => lines.push(l), error: (l) => lines.push(l) }, () => 0);
    const bad = report({ ignoredKeys: ["agent:killswitch:a b"], failed: [{ target: "agent-1", error: "refused" }] });
    onPass({ report: bad });
    onPass({ report: bad });
    onPass({ error: new Error("connect ECONNREFUSED") });
    expect(lines).toEqual([
      expect.stringContaining("agent:killswitch:a b"),
      expect.stringMatching(/could not record the change of agent-1 .*refused/),
      expect.stringContaining("cannot sync with Redis"),
    ]);
  });
});
