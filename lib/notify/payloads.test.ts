import { describe, expect, it } from "vitest";
import type { OpenedAlert } from "@/lib/detect/types";
import { alertBody, escapeSlack, jsonAlertBody, jsonIncidentPagedBody, slackAlertBody, slackIncidentPagedBody, testBody } from "./payloads";

const alert: OpenedAlert = {
  id: 42,
  agentId: "support-bot",
  sessionId: "s-42",
  type: "canary_leak",
  severity: "critical",
  detail: "Canary CANARY-0123 (system prompt) appeared in output",
  count: 1,
  firstEventId: "0b8f6d1e-7a3c-4d5e-9f10-111213141516",
  firstEventAt: new Date("2026-01-02T03:04:05.678Z"),
  createdAt: new Date("2026-01-02T03:04:06.000Z"),
};

describe("Slack body", () => {
  it("is one plain line: severity, type, agent, session, detail and a link to the alert", () => {
    expect(slackAlertBody(alert, "https://soc.example.com")).toEqual({
      text:
        "[CRITICAL] canary_leak · agent support-bot · session s-42: Canary CANARY-0123 (system prompt) appeared in output " +
        "<https://soc.example.com/alerts?status=&amp;alert=42#alert-42|alert #42>",
    });
  });

  it("gives a relative path as text when the public URL is not configured, and leaves out a missing session", () => {
    const { text } = slackAlertBody({ ...alert, sessionId: null, type: "unknown_agent", severity: "medium" }, null);
    expect(text).toBe(
      "[MEDIUM] unknown_agent · agent support-bot: Canary CANARY-0123 (system prompt) appeared in output alert #42: /alerts?status=&amp;alert=42#alert-42",
    );
  });

  it("escapes Slack's control characters in agent-derived text, so it cannot mention @channel or forge a link", () => {
    const { text } = slackAlertBody(
      { ...alert, agentId: "bot<!channel>", sessionId: "s&<x>", detail: "ignore <!here> and <https://evil.example|click>\nsecond line", count: 3 },
      "https://soc.example.com",
    );
    expect(text).toContain("agent bot&lt;!channel&gt; · session s&amp;&lt;x&gt;");
    expect(text).toContain("ignore &lt;!here&gt; and &lt;https://evil.example|click&gt; second line");
    expect(text).toContain("canary_leak (×3)");
    expect(text).not.toContain("\n");
    // The only raw angle brackets left are the console's own link.
    expect(text.match(/[<>]/g)).toEqual(["<", ">"]);
  });

  it("escapes & first, so an entity in the text is shown as typed", () => {
    expect(escapeSlack("a &lt; b & c > d")).toBe("a &amp;lt; b &amp; c &gt; d");
  });

  it("keeps a very long detail to a readable line", () => {
    const { text } = slackAlertBody({ ...alert, detail: "x".repeat(5_000) }, null);
    expect(text.length).toBeLessThan(1_400);
  });
});

describe("generic JSON body", () => {
  it("names the event and carries the alert with snake_case fields and an absolute URL", () => {
    expect(jsonAlertBody(alert, "https://soc.example.com")).toEqual({
      event: "alert.opened",
      alert: {
        id: 42,
        agent_id: "support-bot",
        session_id: "s-42",
        type: "canary_leak",
        severity: "critical",
        detail: alert.detail,
        count: 1,
        first_event_id: alert.firstEventId,
        first_event_at: "2026-01-02T03:04:05.678Z",
        created_at: "2026-01-02T03:04:06.000Z",
        url: "https://soc.example.com/alerts?status=&alert=42#alert-42",
      },
    });
  });

  it("keeps the detail as it is (JSON needs no Slack escaping) and links relatively without a public URL", () => {
    const body = jsonAlertBody({ ...alert, detail: "<b>&", firstEventAt: null, firstEventId: null }, null);
    expect(body.alert.detail).toBe("<b>&");
    expect(body.alert.url).toBe("/alerts?status=&alert=42#alert-42");
    expect(body.alert.first_event_at).toBeNull();
  });

  it("picks the body by destination kind", () => {
    expect(alertBody("slack", alert, null)).toHaveProperty("text");
    expect(alertBody("json", alert, null)).toHaveProperty("event", "alert.opened");
  });
});

describe("test body", () => {
  const test = { destinationId: "d-1", destinationName: "On-call <room>", requestedBy: "user:a@example.com", requestedAt: new Date("2026-01-01T00:00:00Z") };

  it("says it is a test, for Slack escaped", () => {
    expect(testBody("slack", test)).toEqual({ text: "[TEST] Test notification from AgentSOC to destination On-call &lt;room&gt;, sent by user:a@example.com" });
  });

  it("for JSON: event test, the destination and who asked", () => {
    expect(testBody("json", test)).toEqual({
      event: "test",
      message: "Test notification from AgentSOC to destination On-call <room>",
      destination: { id: "d-1", name: "On-call <room>" },
      requested_by: "user:a@example.com",
      requested_at: "2026-01-01T00:00:00.000Z",
    });
  });
});

describe("incident page body", () => {
  const page = {
    incidentId: 7,
    incidentRef: "INC-7",
    title: "Injection\nvia <a href=x>FAQ</a> & 100%",
    severity: "critical" as const,
    role: "on-call <!channel>",
    pagedBy: "user:alice@example.com",
    pagedAt: new Date("2026-01-02T03:04:05.000Z"),
  };

  it("links the incident in Slack, escaping the role and title so neither can mention or link, on one line", () => {
    expect(slackIncidentPagedBody(page, "https://soc.example.com")).toEqual({
      text:
        "[PAGE] [CRITICAL] INC-7 · on-call &lt;!channel&gt; paged by user:alice@example.com: Injection via &lt;a href=x&gt;FAQ&lt;/a&gt; &amp; 100% " +
        "<https://soc.example.com/incidents/7|INC-7>",
    });
    expect(slackIncidentPagedBody(page, null).text.endsWith("INC-7: /incidents/7")).toBe(true);
  });

  it("carries the text unchanged in JSON, with the console link", () => {
    expect(jsonIncidentPagedBody(page, "https://soc.example.com")).toEqual({
      event: "incident.paged",
      page: {
        incident_id: 7,
        incident_ref: "INC-7",
        title: page.title,
        severity: "critical",
        role: page.role,
        paged_by: "user:alice@example.com",
        paged_at: "2026-01-02T03:04:05.000Z",
        url: "https://soc.example.com/incidents/7",
      },
    });
  });
});
