import { describe, expect, it } from "vitest";
import { prepareEventRow } from "@/lib/ingest/prepare-event-rows";
import type { AgentEvent } from "@/lib/ingest/schemas";
import type { Baseline } from "./baseline";
import { busiestMinuteAround, checkBaseline, rateAtCall, type SessionTotals } from "./check-baseline";

const T0 = 1_795_000_000;
const event = (over: Partial<AgentEvent>): AgentEvent => ({
  timestamp: T0,
  agent_id: "agent-a",
  session_id: "s1",
  action_type: "tool_call",
  action_name: "kb_search",
  tool_name: "kb_search",
  input_summary: "",
  output_summary: "",
  duration_ms: 5,
  ...over,
});
const rows = (events: AgentEvent[]) => events.map((e, index) => ({ index, row: prepareEventRow(e) }));
const totals = (over: Partial<SessionTotals>): SessionTotals => ({ startedAtUs: T0 * 1e6, eventCount: 1, toolCalls: 0, llmCalls: 0, costUsd: 0, ...over });
const judge = (baseline: Baseline | null, events: AgentEvent[], session: Partial<SessionTotals>, source: "configured" | "learned" = "configured") => {
  const batch = rows(events);
  const times = batch
    .filter((e) => e.row.actionType === "tool_call")
    .map((e) => e.row.tsMicros)
    .sort((a, b) => a - b);
  return checkBaseline({
    baseline: baseline ? { baseline, source } : null,
    events: batch,
    sessions: new Map([["s1", totals(session)]]),
    toolCallTimes: new Map([["s1", times]]),
  });
};
const types = (result: ReturnType<typeof checkBaseline>) => result.findings.map((f) => f.type);

describe("checkBaseline", () => {
  it("flags a tool outside expected_tools, high when configured and medium when learned", () => {
    const batch = [event({ tool_name: "shell_exec", action_name: "shell_exec" })];
    const configured = judge({ expected_tools: ["kb_search"] }, batch, { toolCalls: 1 });
    expect(configured.findings).toMatchObject([
      { type: "unexpected_tool", severity: "high", baselineSource: "configured", metric: { family: "anomaly", label: "unexpected_tool" } },
    ]);
    expect(configured.findings[0]?.detail).toContain('"shell_exec"');
    const learned = judge({ expected_tools: ["kb_search"] }, batch, { toolCalls: 1 }, "learned");
    expect(learned.findings[0]?.severity).toBe("medium");
  });

  it("allows expected tools and leaves unset limits unchecked", () => {
    expect(types(judge({ expected_tools: ["kb_search"] }, [event({}), event({ timestamp: T0 + 1 })], { toolCalls: 2, eventCount: 2 }))).toEqual([]);
  });

  it("counts tool calls across batches: the session's earlier calls come from its stored totals", () => {
    // 9 calls stored before, 2 in this batch: the 11th passes a limit of 10.
    const result = judge({ max_tool_calls_per_session: 10 }, [event({ timestamp: T0 + 1 }), event({ timestamp: T0 + 2 })], { toolCalls: 11, eventCount: 11 });
    expect(types(result)).toEqual(["excessive_tool_calls"]);
    expect(result.findings[0]?.detail).toContain("11 tool calls");
  });

  it("counts LLM calls, session duration and session cost against their limits", () => {
    const batch = [event({ action_type: "llm_call", action_name: "gpt", tool_name: undefined, timestamp: T0 + 4000, cost_usd: 1.5 })];
    const result = judge({ max_llm_calls_per_session: 3, max_session_duration_seconds: 1800, max_cost_per_session_usd: 2 }, batch, {
      llmCalls: 4,
      costUsd: 2.5,
      eventCount: 5,
    });
    expect(types(result).sort()).toEqual(["excessive_llm_calls", "session_cost_exceeded", "session_too_long"]);
    expect(result.findings.find((f) => f.type === "session_cost_exceeded")?.detail).toContain("$2.50");
  });

  it("spots a rate spike in any 60-second window, and records the session's peak", () => {
    const burst = Array.from({ length: 6 }, (_, i) => event({ timestamp: T0 + i * 5 }));
    const result = judge({ max_tool_call_rate_per_minute: 5 }, burst, { toolCalls: 6, eventCount: 6 });
    expect(types(result)).toContain("tool_call_rate_spike");
    expect(result.peakToolCallsPerMinute.get("s1")).toBe(6);
    // Judged as the guide does, by the minute ending at each call: only the sixth call exceeds the limit.
    expect(result.findings.filter((f) => f.type === "tool_call_rate_spike").map((f) => f.eventIndex)).toEqual([5]);
    const spread = Array.from({ length: 6 }, (_, i) => event({ timestamp: T0 + i * 20 }));
    expect(types(judge({ max_tool_call_rate_per_minute: 5 }, spread, { toolCalls: 6, eventCount: 6 }))).toEqual([]);
  });

  it("says once per new session that an agent without any baseline is not judged", () => {
    const first = judge(null, [event({}), event({ timestamp: T0 + 1 })], { eventCount: 2, toolCalls: 2 });
    expect(first.findings).toMatchObject([{ type: "unknown_agent", severity: "low", sessionId: null }]);
    const later = judge(null, [event({ timestamp: T0 + 2 })], { eventCount: 3, toolCalls: 3 });
    expect(later.findings).toEqual([]);
  });
});

describe("busiestMinuteAround", () => {
  const s = (secs: number[]) => secs.map((x) => x * 1e6);
  it("finds the fullest window that contains the call, on either side of it", () => {
    expect(busiestMinuteAround(s([0, 10, 20, 30]), 0)).toBe(4);
    expect(busiestMinuteAround(s([0, 10, 70, 80]), 70)).toBe(2);
    expect(busiestMinuteAround(s([0, 59.9, 60]), 0)).toBe(2);
  });
});

describe("rateAtCall", () => {
  const s = (secs: number[]) => secs.map((x) => x * 1e6);
  it("counts the minute ending at the call, not calls of its own batch that follow it", () => {
    const times = s([0, 10, 20, 30, 40, 50]);
    const allNew = () => false;
    expect(rateAtCall(times, 0, allNew)).toBe(1);
    expect(rateAtCall(times, 50e6, allNew)).toBe(6);
    expect(rateAtCall(s([0, 59.9, 60]), 60e6, allNew)).toBe(2);
  });

  it("judges a late call by the stored later calls whose minute it now fills", () => {
    const times = s([0, 5, 10, 15, 20, 40]);
    const stored = new Set(s([0, 20, 40]));
    // At 40 s the minute now holds 0, 5, 10, 15, 20 and 40: the late call at 15 s completes it.
    expect(rateAtCall(times, 15e6, (t) => stored.has(t))).toBe(6);
    // The call at 5 s is judged without the late 10 and 15 that came after it: 0, 5, 20, 40.
    expect(rateAtCall(times, 5e6, (t) => stored.has(t))).toBe(4);
    expect(rateAtCall(times, 5e6, () => false)).toBe(2);
  });

  it("does not count the late batch's own later calls against its earlier ones", () => {
    // A stored call at 59 s; ten late calls at 0–9 s: only the minute up to each call counts.
    const times = s([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 59]);
    const stored = new Set(s([59]));
    expect(rateAtCall(times, 0, (t) => stored.has(t))).toBe(2);
    expect(rateAtCall(times, 9e6, (t) => stored.has(t))).toBe(11);
  });
});
