import { describe, expect, it } from "vitest";
import { analyzeSession, type OutlineEvent, type StoredFinding } from "./analyze-session";

let clock = 0;
function ev(id: string, over: Partial<OutlineEvent> = {}): OutlineEvent {
  clock++;
  return {
    eventId: id,
    timestamp: new Date(Date.UTC(2026, 10, 24, 10, 0, clock)).toISOString(),
    actionType: "tool_call",
    actionName: over.toolName ?? "kb_search",
    toolName: "kb_search",
    securityFlags: [],
    metadata: null,
    redactions: null,
    ...over,
  };
}
const finding = (eventId: string, type: string, severity: StoredFinding["severity"] = "high", alertId = 1): StoredFinding => ({
  eventId,
  alertId,
  type,
  severity,
  detail: `${type} at ${eventId}`,
});

describe("analyzeSession", () => {
  it("puts the injection point at the poisoned retrieval and follows the compromise from there", () => {
    const events = [
      ev("e1", { actionType: "llm_call", actionName: "gpt-4o", toolName: null }),
      ev("e2", { metadata: { url: "https://kb.example.com/faq" } }),
      ev("e3", { toolName: "web_fetch", metadata: { url: "https://evil.example/doc" } }),
      ev("e4", { actionType: "llm_call", actionName: "gpt-4o", toolName: null }),
      ev("e5", { toolName: "read_secret", metadata: { secret_name: "stripe" } }),
      ev("e6", { toolName: "send_email", metadata: { recipient_id: "billing-agent" } }),
      ev("e7", { toolName: "send_email", redactions: { EMAIL: 2 } }),
    ];
    const findings = [
      finding("e3", "prompt_injection", "critical", 10),
      finding("e5", "unexpected_tool", "high", 11),
      finding("e6", "unexpected_tool", "high", 11),
      finding("e7", "unexpected_tool", "high", 11),
      finding("e7", "pii_exposure", "high", 12),
    ];
    const a = analyzeSession({ agentId: "support-bot", events, findings, expectedTools: ["kb_search", "web_fetch"] });

    expect(a.injection_point).toMatchObject({ event_id: "e3", rule: "content_finding", preceding_events: ["e1", "e2"] });
    expect(a.injection_point?.reason).toContain('tool "web_fetch"');
    expect(a.anomalies.map((x) => `${x.event_id}:${x.type}`)).toEqual([
      "e3:prompt_injection",
      "e5:unexpected_tool",
      "e6:unexpected_tool",
      "e7:unexpected_tool",
      "e7:pii_exposure",
    ]);
    const blast = a.blast_radius;
    expect(blast?.from_event_id).toBe("e3");
    expect(blast?.events_after).toBe(5);
    // Tools from the injection point on only: kb_search ran before it.
    expect(blast?.tools_used.map((t) => `${t.tool}×${t.count}`)).toEqual(["web_fetch×1", "read_secret×1", "send_email×2"]);
    expect(blast?.unexpected_tools).toEqual([
      { tool: "read_secret", count: 1, first_event_id: "e5" },
      { tool: "send_email", count: 2, first_event_id: "e6" },
    ]);
    expect(blast?.exfiltration).toEqual([{ event_id: "e7", type: "pii_exposure", tool: "send_email", detail: "pii_exposure at e7" }]);
    expect(blast?.credentials_read.map((c) => [c.event_id, c.names])).toEqual([["e5", ["stripe"]]]);
    expect(blast?.agents_contacted).toEqual([{ agent_id: "billing-agent", direction: "sent", count: 1, first_event_id: "e6" }]);
    // The resource read before the injection is in the session's resources, not in the blast radius.
    expect(blast?.resources_touched).toEqual([{ key: "url", name: "https://evil.example/doc", count: 1, first_event_id: "e3" }]);
    expect(a.affected_resources.find((r) => r.kind === "tool" && r.name === "send_email")).toMatchObject({ count: 2 });
    expect(a.affected_resources.filter((r) => r.kind === "resource").map((r) => r.name)).toEqual(["https://kb.example.com/faq", "https://evil.example/doc"]);
  });

  it("falls back to the event just before the first anomaly when no content carries an injection finding", () => {
    const events = [ev("a1"), ev("a2"), ev("a3", { toolName: "shell_exec" }), ev("a4", { toolName: "shell_exec" })];
    const a = analyzeSession({
      agentId: "x",
      events,
      findings: [finding("a3", "unexpected_tool"), finding("a4", "unexpected_tool")],
      expectedTools: ["kb_search"],
    });
    expect(a.injection_point).toMatchObject({ event_id: "a2", rule: "event_before_first_anomaly", preceding_events: ["a1"] });
    expect(a.blast_radius?.unexpected_tools).toEqual([{ tool: "shell_exec", count: 2, first_event_id: "a3" }]);
  });

  it("takes an injection finding on the very event of the first other anomaly as the injection point (at, not only before)", () => {
    const events = [ev("f1"), ev("f2", { toolName: "web_fetch" }), ev("f3", { toolName: "shell_exec" })];
    const findings = [finding("f2", "unexpected_tool"), finding("f2", "prompt_injection", "critical"), finding("f3", "unexpected_tool")];
    const a = analyzeSession({ agentId: "x", events, findings, expectedTools: ["kb_search"] });
    expect(a.injection_point).toMatchObject({ event_id: "f2", rule: "content_finding", preceding_events: ["f1"] });
    expect(a.injection_point?.reason).toContain("at or before the first other anomaly (unexpected_tool)");
    expect(a.blast_radius?.from_event_id).toBe("f2");
  });

  it("lists exactly the five events before the injection point", () => {
    const events = ["g1", "g2", "g3", "g4", "g5", "g6", "g7"].map((id) => ev(id));
    const a = analyzeSession({ agentId: "x", events, findings: [finding("g7", "prompt_injection", "critical")], expectedTools: null });
    expect(a.injection_point).toMatchObject({ event_id: "g7", preceding_events: ["g2", "g3", "g4", "g5", "g6"] });
  });

  it("does not take an injection found only after the first anomaly as its cause, and says so", () => {
    const events = [ev("b1"), ev("b2", { toolName: "shell_exec" }), ev("b3", { toolName: "web_fetch" })];
    const a = analyzeSession({
      agentId: "x",
      events,
      findings: [finding("b2", "unexpected_tool"), finding("b3", "prompt_injection", "critical")],
      expectedTools: null,
    });
    expect(a.injection_point).toMatchObject({ event_id: "b1", rule: "event_before_first_anomaly" });
    expect(a.injection_point?.reason).toContain("only later");
    expect(a.blast_radius?.unexpected_tools).toBeNull();
  });

  it("names the first event itself when the session opens with its first anomaly, and counts the agent's own flags", () => {
    const events = [ev("c1", { actionType: "security", actionName: "prompt_injection_blocked", securityFlags: ["prompt_injection_blocked"] }), ev("c2")];
    const a = analyzeSession({ agentId: "x", events, findings: [], expectedTools: null });
    expect(a.anomalies).toEqual([
      { event_id: "c1", type: "agent_flagged", severity: "medium", detail: "The agent flagged this event: prompt_injection_blocked", alert_id: null },
    ]);
    expect(a.injection_point).toMatchObject({ event_id: "c1", rule: "first_anomaly", preceding_events: [] });
  });

  it("finds no injection point and no blast radius in a clean session", () => {
    const events = [ev("d1"), ev("d2", { actionType: "llm_call", actionName: "gpt-4o", toolName: null })];
    const a = analyzeSession({ agentId: "x", events, findings: [finding("d1", "unknown_agent", "low")], expectedTools: null });
    expect(a).toMatchObject({ anomalies: [], injection_point: null, blast_radius: null });
    expect(a.affected_resources).toEqual([
      { kind: "tool", key: null, name: "kb_search", count: 1, first_at: events[0]?.timestamp, last_at: events[0]?.timestamp },
    ]);
  });
});
