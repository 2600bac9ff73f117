import { describe, expect, it } from "vitest";
import { SUPPORT_AGENT_POLICY } from "@/scripts/testing/guide-policy";
import { checkPolicy, type PolicyEvent, type PolicySession } from "./check-policy";
import { agentPolicySchema } from "./policy";

const policy = agentPolicySchema.parse(SUPPORT_AGENT_POLICY);
const T0 = 1_800_000_000_000_000;
const S = "sess_1";

function call(i: number, tool: string, metadata: Record<string, unknown> | null = null, atUs = T0 + i * 1_000_000): { index: number; row: PolicyEvent } {
  return { index: i, row: { tsMicros: atUs, sessionId: S, actionType: "tool_call", actionName: tool, toolName: tool, metadata } };
}

/** Judges `events` as a session that holds only them. */
function judge(events: { index: number; row: PolicyEvent }[], p = policy, session: Partial<PolicySession> = {}) {
  const toolCalls = events.filter((e) => e.row.actionType === "tool_call").map((e) => ({ at: e.row.tsMicros, tool: e.row.toolName ?? e.row.actionName }));
  const sessions = new Map([
    [S, { startedAtUs: Math.min(...events.map((e) => e.row.tsMicros)), eventCount: events.length, toolCalls: toolCalls.length, ...session }],
  ]);
  return checkPolicy({ policy: p, events, sessions, toolCalls: new Map([[S, toolCalls]]) });
}

describe("checkPolicy with the guide's support_agent_policy", () => {
  it("raises nothing for a compliant session", () => {
    expect(
      judge([
        call(0, "customer_lookup", { permission: "read", resource: ["customers.email", "customers.plan"], row_count: 1 }),
        call(1, "order_lookup", { permission: "READ", resource: "orders.status", row_count: 20 }),
        call(2, "ticket_management", { permission: "write", resource: "tickets.4711.comment" }),
        call(3, "ticket_management"),
        { index: 4, row: { tsMicros: T0 + 4_000_000, sessionId: S, actionType: "llm_call", actionName: "gpt-4o", toolName: null, metadata: null } },
      ]),
    ).toEqual([]);
  });

  it("flags a tool the policy does not grant, and no other check on it", () => {
    const [v, ...rest] = judge([call(0, "send_email", { permission: "execute", row_count: 10_000 })]);
    expect(rest).toEqual([]);
    expect(v).toEqual({ eventIndex: 0, sessionId: S, detail: 'The agent called tool "send_email", which its policy does not grant' });
  });

  it("flags an action the tool lacks, and one the guide does not define", () => {
    expect(judge([call(0, "customer_lookup", { permission: "delete" })]).map((v) => v.detail)).toEqual([
      'The agent called tool "customer_lookup" to delete; the policy allows read',
    ]);
    expect(judge([call(0, "customer_lookup", { permission: "sudo" })]).map((v) => v.detail)).toEqual([
      'The agent called tool "customer_lookup" with permission "sudo", which is none of read, write, delete, execute, admin',
    ]);
  });

  it("flags resources outside the scope, a prefix scope matching only its prefix", () => {
    expect(judge([call(0, "customer_lookup", { resource: ["customers.email", "customers.ssn", "payments.card"] })]).map((v) => v.detail)).toEqual([
      'The agent called tool "customer_lookup" on "customers.ssn", "payments.card", outside its scope ("customers.name", "customers.email", "customers.plan")',
    ]);
    expect(judge([call(0, "ticket_management", { resource: "ticketsX.1" })])).toHaveLength(1);
  });

  it("flags more rows than max_data_rows, the default 100 where the policy leaves it out", () => {
    expect(judge([call(0, "order_lookup", { row_count: 21 })]).map((v) => v.detail)).toEqual(['Tool "order_lookup" returned 21 rows; the policy allows 20']);
    expect(judge([call(0, "ticket_management", { row_count: 100 })])).toEqual([]);
    expect(judge([call(0, "ticket_management", { row_count: 101 })])).toHaveLength(1);
  });

  it("flags a call that requires approval without an approval_id", () => {
    const strict = agentPolicySchema.parse({
      permissions: [{ tool_name: "refund", allowed_actions: ["write"], resource_scope: ["*"], requires_approval: true }],
    });
    expect(judge([call(0, "refund", { approval_id: "APR-1" })], strict)).toEqual([]);
    expect(judge([call(0, "refund", { approval_id: "  " })], strict).map((v) => v.detail)).toEqual([
      'Tool "refund" requires approval, and the call records none (metadata.approval_id)',
    ]);
  });

  it("flags a tool over its rate_limit per minute, counting that tool only", () => {
    const calls = Array.from({ length: 21 }, (_, i) => call(i, "ticket_management", null, T0 + i * 2_000_000));
    const others = Array.from({ length: 10 }, (_, i) => call(100 + i, "customer_lookup", null, T0 + i * 2_000_000 + 1));
    const found = judge([...calls, ...others]);
    expect(found.map((v) => [v.eventIndex, v.detail])).toEqual([
      [20, '21 calls of tool "ticket_management" within one minute; the policy allows 20 per minute'],
    ]);
    // Spread over more than a minute, the same calls are within the limit.
    expect(judge(Array.from({ length: 21 }, (_, i) => call(i, "ticket_management", null, T0 + i * 3_100_000)))).toEqual([]);
  });

  it("flags a session past its duration and tool-call limits, counting calls stored before the batch", () => {
    const late = call(0, "customer_lookup", null, T0 + 1801 * 1_000_000);
    const found = judge([late], policy, { startedAtUs: T0, toolCalls: 101, eventCount: 150 });
    expect(found.map((v) => v.detail)).toEqual([
      "The session has run 1801 s; the policy allows 1800 s",
      "The session reached 101 tool calls; the policy allows 100",
    ]);
  });

  it("treats hostile tool names and metadata as data: quoted, cut short, never matched loosely", () => {
    const hostile = ["<img src=x onerror=alert(1)>", "customer_lookup\u0000", "customer_lookup%00", `$(rm -rf /)${"A".repeat(300)}`, "\uFFFDcustomer_lookup"];
    const found = judge(
      hostile.map((tool, i) => call(i, tool, { permission: { toString: "read" }, resource: [42, null, "customers.name"], row_count: "1e9" })),
    );
    expect(found).toHaveLength(hostile.length);
    expect(found[0]?.detail).toBe('The agent called tool "<img src=x onerror=alert(1)>", which its policy does not grant');
    expect(found[1]?.detail).toContain('"customer_lookup\\u0000"');
    expect(found[3]?.detail.length).toBeLessThan(200);
    // Non-string claims are not claims: a permission object, a numeric resource, a row count in a string.
    expect(judge([call(0, "customer_lookup", { permission: ["delete"], resource: [42, { r: "payments" }], row_count: "1e9" })])).toEqual([]);
  });
});
