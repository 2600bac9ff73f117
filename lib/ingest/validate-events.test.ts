import { describe, expect, it } from "vitest";
import { findImpersonations, validateEvents } from "./validate-events";

const now = 1_790_000_000;
const window = { nowSeconds: now, retentionDays: 30, maxFutureSeconds: 86_400 };
const good = {
  timestamp: now - 10,
  agent_id: "a1",
  session_id: "s1",
  action_type: "tool_call",
  action_name: "lookup",
  input_summary: "in",
  output_summary: "out",
  duration_ms: 3,
};

describe("validateEvents", () => {
  it("accepts the contract's fields, with nulls for optional ones as Python SDKs send them", () => {
    const withNulls = { ...good, token_count: null, cost_usd: null, tool_name: null, error: null, security_flags: null, metadata: null };
    const { valid, rejected } = validateEvents([{ index: 0, value: withNulls }], window);
    expect(rejected).toEqual([]);
    expect(valid[0]?.event.agent_id).toBe("a1");
  });

  it("names every bad field with its path", () => {
    const bad = { ...good, cost_usd: -2, security_flags: ["ok", 7], event_id: "nope", action_type: "dance" };
    const { rejected } = validateEvents([{ index: 4, value: bad }], window);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.index).toBe(4);
    expect(rejected[0]?.event_id).toBe("nope");
    expect(rejected[0]?.errors.map((e) => e.path).sort()).toEqual(["action_type", "cost_usd", "event_id", "security_flags.1"]);
  });

  it("rejects times outside the retention window and too far ahead", () => {
    const { valid, rejected } = validateEvents(
      [
        { index: 0, value: { ...good, timestamp: now - 31 * 86_400 } },
        { index: 1, value: { ...good, timestamp: now + 2 * 86_400 } },
        { index: 2, value: { ...good, timestamp: now + 3600 } },
      ],
      window,
    );
    expect(rejected.map((r) => [r.index, r.errors[0]?.path])).toEqual([
      [0, "timestamp"],
      [1, "timestamp"],
    ]);
    expect(valid.map((v) => v.index)).toEqual([2]);
  });

  it("refuses oversized metadata instead of truncating it silently", () => {
    const { rejected } = validateEvents([{ index: 0, value: { ...good, metadata: { blob: "x".repeat(40_000) } } }], window);
    expect(rejected[0]?.errors[0]?.path).toBe("metadata");
  });

  it("refuses metadata nested deep enough to exhaust the stack of recursive walkers", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const { rejected } = validateEvents([{ index: 0, value: { ...good, metadata: { deep } } }], window);
    expect(rejected[0]?.errors).toEqual([{ path: "metadata", message: "metadata is nested deeper than 16 levels" }]);
    const ok = validateEvents([{ index: 0, value: { ...good, metadata: { a: { b: { c: [1, { d: "x" }] } } } } }], window);
    expect(ok.rejected).toEqual([]);
  });

  it("counts metadata keys at every depth, but not array items, against the limit of 1,000", () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1]));
    const listed = { items: Array.from({ length: 2000 }, (_, i) => i), rows: [keys(499), keys(499)] };
    expect(validateEvents([{ index: 0, value: { ...good, metadata: listed } }], window).rejected).toEqual([]);
    const { rejected } = validateEvents([{ index: 0, value: { ...good, metadata: { ...listed, one: "more" } } }], window);
    expect(rejected[0]?.errors).toEqual([{ path: "metadata", message: "metadata has more than 1000 keys (counted at every depth)" }]);
  });

  it("turns unparseable NDJSON lines into rejections", () => {
    const { rejected } = validateEvents([{ index: 0, parseError: "line 1 is not valid JSON" }], window);
    expect(rejected).toEqual([{ index: 0, event_id: null, errors: [{ path: "", message: "line 1 is not valid JSON" }] }]);
  });
});

describe("findImpersonations", () => {
  it("lists records whose agent_id is another agent's, ignoring records without one", () => {
    const found = findImpersonations(
      [
        { index: 0, value: { agent_id: "a1" } },
        { index: 1, value: { agent_id: "victim" } },
        { index: 2, value: { no: "agent" } },
        { index: 3, parseError: "x" },
      ],
      new Set(["a1"]),
    );
    expect(found).toEqual([{ index: 1, agent_id: "victim" }]);
  });

  it("accepts every agent of a key's set and only those", () => {
    const records = [
      { index: 0, value: { agent_id: "orchestrator" } },
      { index: 1, value: { agent_id: "worker-1" } },
      { index: 2, value: { agent_id: "worker-2" } },
    ];
    expect(findImpersonations(records, new Set(["orchestrator", "worker-1"]))).toEqual([{ index: 2, agent_id: "worker-2" }]);
  });
});
