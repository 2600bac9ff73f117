import { describe, expect, it } from "vitest";
import { policiesThatFire } from "./policies";

describe("automatic kill policies", () => {
  const policies = [
    { rule: "canary_leak" as const, enabled: true, threshold_usd: null },
    { rule: "critical_alert" as const, enabled: false, threshold_usd: null },
    { rule: "session_cost_above" as const, enabled: true, threshold_usd: 10 },
  ];

  it("fires the enabled rule a signal matches, naming it and why", () => {
    expect(policiesThatFire(policies, { kind: "canary_leak", agentId: "a", detail: "CANARY-7f3a in output" })).toEqual([
      { rule: "canary_leak", reason: "automatic: canary leaked (CANARY-7f3a in output)" },
    ]);
    expect(policiesThatFire(policies, { kind: "session_cost", agentId: "a", sessionId: "s1", costUsd: 12.4 })).toEqual([
      { rule: "session_cost_above", reason: "automatic: session s1 cost $12.40, above the hard limit of $10.00" },
    ]);
  });

  it("stays quiet for disabled rules and costs at or under the limit", () => {
    expect(policiesThatFire(policies, { kind: "critical_alert", agentId: "a", detail: "x" })).toEqual([]);
    expect(policiesThatFire(policies, { kind: "session_cost", agentId: "a", sessionId: "s1", costUsd: 10 })).toEqual([]);
    expect(policiesThatFire([], { kind: "canary_leak", agentId: "a", detail: "x" })).toEqual([]);
  });
});
