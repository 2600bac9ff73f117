import { describe, expect, it } from "vitest";
import { KillState } from "./kill-state.js";

const alive = { alive: true, reason: "Agent is active", source: "redis" };
const killed = { alive: false, reason: "Agent killed: injection", source: "redis" };

describe("KillState", () => {
  it("fails closed before anything is heard, and open only when the policy says so", () => {
    expect(new KillState("closed", 30_000).decide(0)).toMatchObject({ allowed: false, kind: "unknown", reason: expect.stringMatching(/not known yet/) });
    expect(new KillState("open", 30_000).decide(0)).toMatchObject({ allowed: true, warning: expect.stringMatching(/not known yet/) });
  });

  it("trusts an open stream without limit, then the last data for staleAfterMs once it drops", () => {
    const state = new KillState("closed", 1000);
    state.heard(alive, 0, true);
    expect(state.decide(60_000)).toEqual({ allowed: true, warning: null });
    state.down("connect ECONNREFUSED", 59_500);
    expect(state.decide(60_400)).toEqual({ allowed: true, warning: null });
    expect(state.decide(60_600)).toMatchObject({
      allowed: false,
      kind: "unknown",
      reason: expect.stringMatching(/stale: last confirmed 1\.1 s ago.*ECONNREFUSED/),
    });
  });

  it("holds a kill however old, reports each new kill once, and lets a revive through", () => {
    const state = new KillState("open", 1000);
    expect(state.heard(alive, 0, false)).toBe(false);
    expect(state.heard(killed, 10, true)).toBe(true);
    expect(state.heard(killed, 20, true)).toBe(false);
    state.down("gone", 20);
    expect(state.decide(1_000_000)).toEqual({ allowed: false, kind: "killed", reason: "Agent killed: injection" });
    state.heard(alive, 1_000_000, true);
    expect(state.decide(1_000_001)).toEqual({ allowed: true, warning: null });
    expect(state.heard(killed, 1_000_002, true)).toBe(true);
  });

  it("drops a known alive when the source says it cannot tell, but keeps a known kill", () => {
    const open = new KillState("closed", 30_000);
    open.heard(alive, 0, true);
    open.unknown("status unavailable");
    expect(open.decide(1)).toMatchObject({ allowed: false, kind: "unknown" });
    const dead = new KillState("open", 30_000);
    dead.heard(killed, 0, true);
    dead.unknown("status unavailable");
    expect(dead.decide(1)).toMatchObject({ allowed: false, kind: "killed" });
  });
});
