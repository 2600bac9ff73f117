import { describe, expect, it } from "vitest";
import { draftPolicy, MAX_RESOURCES, type PolicyEvidence, type ToolEvidence } from "./draft-policy";

const tool = (over: Partial<ToolEvidence>): ToolEvidence => ({
  tool: "kb_search",
  calls: 10,
  sessions: 3,
  permissions: [],
  resources: [],
  resource_count: 0,
  peak_per_minute: 4,
  max_rows: null,
  approved_calls: 0,
  ...over,
});
const evidence = (tools: ToolEvidence[], excluded: Pick<PolicyEvidence, "excluded_sessions_with_high_alerts" | "excluded_tools"> = noneExcluded) => ({
  window_days: 7,
  sessions: 12,
  max_session_seconds: 600.4,
  max_tool_calls_per_session: 40,
  tools,
  ...excluded,
});
const noneExcluded = { excluded_sessions_with_high_alerts: 0, excluded_tools: [] };

describe("draftPolicy", () => {
  it("grants only what was used, with the peaks × 1.5 as limits, and says why beside each line", () => {
    const draft = draftPolicy(
      evidence([
        tool({ tool: "customer_lookup", permissions: ["read", "sudo"], resources: ["customers.email"], resource_count: 1, peak_per_minute: 7, max_rows: 9 }),
        tool({ tool: "refund", permissions: ["write"], calls: 2, approved_calls: 2 }),
      ]),
    );
    expect(draft.policy).toEqual({
      role: "",
      permissions: [
        {
          tool_name: "customer_lookup",
          allowed_actions: ["read"],
          resource_scope: ["customers.email"],
          rate_limit: 11,
          requires_approval: false,
          max_data_rows: 14,
        },
        { tool_name: "refund", allowed_actions: ["write"], resource_scope: [], rate_limit: 6, requires_approval: true, max_data_rows: 100 },
      ],
      allowed_ip_ranges: [],
      max_session_duration_seconds: 901,
      max_tool_calls_per_session: 60,
    });
    expect(draft.notes.customer_lookup).toEqual([
      "10 calls in 3 sessions",
      "permissions reported: read",
      "1 resources reported",
      "busiest minute 7 calls",
      "most rows 9",
    ]);
    expect(draft.notes.refund).toContain("no call reported a resource: none granted");
    expect(draft.notes.refund).toContain("every call recorded an approval");
    expect(draft.notes.session).toEqual(["12 sessions in 7 days", "longest 600 s", "most tool calls in one session 40"]);
    expect(draft.excluded_tools).toEqual([]);
  });

  it("grants nothing of sessions with a high or critical alert, and names the tools seen only there", () => {
    const one = draftPolicy(
      evidence([tool({ tool: "kb_search" })], { excluded_sessions_with_high_alerts: 1, excluded_tools: [{ tool: "export_customers", calls: 2, sessions: 1 }] }),
    );
    expect(one.policy.permissions.map((p) => p.tool_name)).toEqual(["kb_search"]);
    expect(one.excluded_tools).toEqual(["export_customers"]);
    expect(one.notes.export_customers).toEqual(["2 calls in 1 sessions, each with a high or critical alert: not granted"]);
    expect(one.notes.session).toContain("1 session with a high or critical alert left out: its calls grant nothing");
    const three = draftPolicy(evidence([], { excluded_sessions_with_high_alerts: 3, excluded_tools: [] }));
    expect(three.notes.session).toContain("3 sessions with a high or critical alert left out: their calls grant nothing");
  });

  it("opens a scope with too many resources to list, and says so", () => {
    const draft = draftPolicy(evidence([tool({ resources: ["a", "b"], resource_count: MAX_RESOURCES + 1 })]));
    expect(draft.policy.permissions[0]?.resource_scope).toEqual(["*"]);
    expect(draft.notes.kb_search).toContain(`${MAX_RESOURCES + 1} distinct resources: any allowed, narrow it by hand`);
  });

  it("leaves out tool names a policy cannot hold, and resources with control characters, naming the tools", () => {
    const draft = draftPolicy(evidence([tool({ tool: "bad\ntool" }), tool({ tool: "<b>ok</b>", resources: ["r\u0007", "fine"], resource_count: 2 })]));
    expect(draft.skipped_tools).toEqual(["bad\ntool"]);
    expect(draft.policy.permissions.map((p) => [p.tool_name, p.resource_scope])).toEqual([["<b>ok</b>", ["fine"]]]);
  });

  it("falls back to the guide's defaults with no sessions", () => {
    const draft = draftPolicy({ window_days: 7, sessions: 0, max_session_seconds: null, max_tool_calls_per_session: null, tools: [], ...noneExcluded });
    expect(draft.policy).toMatchObject({ permissions: [], max_session_duration_seconds: 3600, max_tool_calls_per_session: 500 });
  });

  it("keeps the note of a tool named __proto__ as the answer's own key", () => {
    const draft = draftPolicy(evidence([tool({ tool: "__proto__", permissions: ["read"] })]));
    expect(Object.hasOwn(draft.notes, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(JSON.parse(JSON.stringify(draft.notes)), "__proto__")?.value).toEqual(
      expect.arrayContaining(["10 calls in 3 sessions"]),
    );
  });
});
