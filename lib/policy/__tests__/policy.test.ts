import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type Redis from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { listAudit } from "@/db/queries/audit";
import { listAlerts } from "@/db/queries/detection";
import { getPolicy, listCapabilities } from "@/db/queries/policies";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { type AgentEvent, ingestEvents } from "@/lib/ingest";
import { grantCapability, proposePolicy, removePolicy, revokeCapability, setPolicy } from "@/lib/policy";
import { bearer, makeEvent, newAgent, readyAppRedis, testCtx } from "@/scripts/testing/fixtures";
import { SUPPORT_AGENT_POLICY } from "@/scripts/testing/guide-policy";
import { callRoute, discoverRoutes } from "@/scripts/testing/routes";

function as(role: Role): Ctx {
  return { ...testCtx(), actor: { type: "user", userId: randomUUID(), email: `${role}@example.com`, role, sessionId: randomUUID() } };
}

let redis: Redis;
beforeAll(async () => {
  redis = await readyAppRedis();
});

async function ingest(agentId: string, events: AgentEvent[], sourceIp: string | null = "127.0.0.1") {
  const ctx: Ctx = { db: appDb(), actor: { type: "agent", agentId, keyId: randomUUID() }, requestId: `test-${randomUUID()}`, sourceIp };
  return ingestEvents({
    ctx,
    settings: { redis, retentionDays: 30, defaultRateLimitPerMin: 1_000_000 },
    input: { records: events.map((value, index) => ({ index, value })), rateLimitPerMin: null },
  });
}

async function policyAlerts(agentId: string) {
  return (await listAlerts(appDb(), { agent_id: agentId, type: "policy_violation" } as Parameters<typeof listAlerts>[1])).alerts;
}

async function agentWithSupportPolicy() {
  const agent = await newAgent({ prefix: "policy" });
  await setPolicy({ ctx: as("admin"), input: { agentId: agent.agentId, policy: { ...SUPPORT_AGENT_POLICY, agent_id: agent.agentId } } });
  return agent;
}

describe("agent security policies", () => {
  it("is set by an admin only, versioned, and audited with what changed", async () => {
    const { agentId } = await newAgent({ prefix: "policy" });
    await expect(setPolicy({ ctx: as("responder"), input: { agentId, policy: SUPPORT_AGENT_POLICY } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { agent_id: _, ...policy } = SUPPORT_AGENT_POLICY;
    await setPolicy({ ctx: as("admin"), input: { agentId, policy } });
    const narrower = { ...policy, permissions: policy.permissions.filter((p) => p.tool_name !== "ticket_management").map((p) => ({ ...p, rate_limit: 5 })) };
    await setPolicy({ ctx: as("admin"), input: { agentId, policy: narrower } });

    const view = await getPolicy(appDb(), agentId);
    expect(view).toMatchObject({ agent_id: agentId, version: 2, updated_by: "user:admin@example.com" });
    expect(view.policy?.permissions.map((p) => [p.tool_name, p.rate_limit, p.max_data_rows])).toEqual([
      ["customer_lookup", 5, 10],
      ["order_lookup", 5, 20],
    ]);
    expect(view.versions.map((v) => [v.version, v.change.added_tools.length, v.change.removed_tools])).toEqual([
      [2, 0, ["ticket_management"]],
      [1, 3, []],
    ]);

    const audit = (await listAudit(appDb(), { target_type: "agent", target_id: agentId, limit: 10 })).entries.filter((e) => e.action.startsWith("policy."));
    expect(audit.map((e) => e.action)).toEqual(["policy.set", "policy.set"]);
    expect(audit[0]?.before).toMatchObject({ version: 1 });
    expect(audit[0]?.after).toMatchObject({
      version: 2,
      change: {
        removed_tools: ["ticket_management"],
        changed: [
          { field: "customer_lookup.rate_limit", before: 30, after: 5 },
          { field: "order_lookup.rate_limit", before: 30, after: 5 },
        ],
      },
    });

    await expect(removePolicy({ ctx: as("admin"), input: { agentId, reason: " " } })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(removePolicy({ ctx: as("responder"), input: { agentId, reason: "x" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await removePolicy({ ctx: as("admin"), input: { agentId, reason: "agent retired" } });
    const removed = await getPolicy(appDb(), agentId);
    expect(removed).toMatchObject({ policy: null, version: null });
    expect(removed.versions[0]).toMatchObject({
      version: 3,
      policy: null,
      reason: "agent retired",
      change: { removed_tools: ["customer_lookup", "order_lookup"] },
    });
    await expect(removePolicy({ ctx: as("admin"), input: { agentId, reason: "again" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses hostile or mismatched input, naming the field, and writes nothing", async () => {
    const { agentId } = await newAgent({ prefix: "policy" });
    const bad = (tool_name: string) => ({ permissions: [{ tool_name, allowed_actions: ["read"], resource_scope: [] }] });
    await expect(setPolicy({ ctx: as("admin"), input: { agentId, policy: bad("kb\u0000search") } })).rejects.toMatchObject({
      code: "VALIDATION",
      details: { errors: [{ path: "permissions.0.tool_name" }] },
    });
    await expect(setPolicy({ ctx: as("admin"), input: { agentId, policy: bad("kb\uDC00") } })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(setPolicy({ ctx: as("admin"), input: { agentId, policy: { ...bad("kb"), agent_id: "someone-else" } } })).rejects.toMatchObject({
      code: "VALIDATION",
      details: { errors: [{ path: "agent_id" }] },
    });
    await expect(setPolicy({ ctx: as("admin"), input: { agentId: "no-such-agent-policy", policy: bad("kb") } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await getPolicy(appDb(), agentId)).toMatchObject({ policy: null, versions: [] });
  });

  it("raises nothing for a compliant session", async () => {
    const { agentId } = await agentWithSupportPolicy();
    const s = `sess_${randomUUID().slice(0, 8)}`;
    const t = Date.now() / 1000 - 60;
    const result = await ingest(agentId, [
      makeEvent(agentId, {
        session_id: s,
        timestamp: t,
        tool_name: "customer_lookup",
        metadata: { permission: "read", resource: "customers.email", row_count: 1 },
      }),
      makeEvent(agentId, {
        session_id: s,
        timestamp: t + 1,
        tool_name: "ticket_management",
        action_name: "ticket_management",
        metadata: { permission: "write", resource: "tickets.42" },
      }),
      makeEvent(agentId, { session_id: s, timestamp: t + 2, action_type: "llm_call", action_name: "gpt-4o", tool_name: null }),
    ]);
    expect(result.accepted).toBe(3);
    expect(await policyAlerts(agentId)).toEqual([]);
  });

  it("raises a high policy_violation alert for each kind of call outside the policy, inside the ingest", async () => {
    const { agentId } = await agentWithSupportPolicy();
    const t = Date.now() / 1000 - 120;
    const one = (i: number, overrides: Partial<AgentEvent>) => makeEvent(agentId, { session_id: `sess_pv_${i}_${agentId}`, timestamp: t + i, ...overrides });
    await ingest(agentId, [
      one(0, { tool_name: "send_email", action_name: "send_email" }),
      one(1, { tool_name: "customer_lookup", metadata: { permission: "write" } }),
      one(2, { tool_name: "customer_lookup", metadata: { resource: "customers.ssn" } }),
      one(3, { tool_name: "order_lookup", action_name: "order_lookup", metadata: { row_count: 500 } }),
      one(4, { tool_name: "<b>x</b>%00$(id)", action_name: "<b>x</b>" }),
    ]);
    const alerts = await policyAlerts(agentId);
    expect(alerts.map((a) => [a.session_id, a.severity, a.count]).sort()).toEqual([0, 1, 2, 3, 4].map((i) => [`sess_pv_${i}_${agentId}`, "high", 1]).sort());
    const details = alerts.map((a) => a.detail).sort();
    expect(details).toEqual(
      [
        'The agent called tool "send_email", which its policy does not grant',
        'The agent called tool "customer_lookup" to write; the policy allows read',
        'The agent called tool "customer_lookup" on "customers.ssn", outside its scope ("customers.name", "customers.email", "customers.plan")',
        'Tool "order_lookup" returned 500 rows; the policy allows 20',
        'The agent called tool "<b>x</b>%00$(id)", which its policy does not grant',
      ].sort(),
    );
    const counted = await appDb().execute<{ value: string }>(
      sql`SELECT value FROM metric_counters WHERE family = 'anomaly' AND agent_id = ${agentId} AND label = 'policy_violation'`,
    );
    expect(counted.rows.map((r) => Number(r.value))).toEqual([5]);
  });

  it("judges a tool's rate across batches of one session, and a removed policy no more", async () => {
    const { agentId } = await agentWithSupportPolicy();
    const s = `sess_${randomUUID().slice(0, 8)}`;
    const t = Date.now() / 1000 - 300;
    const ticket = (i: number) => makeEvent(agentId, { session_id: s, timestamp: t + i, tool_name: "ticket_management", action_name: "ticket_management" });
    await ingest(
      agentId,
      Array.from({ length: 20 }, (_, i) => ticket(i)),
    );
    expect(await policyAlerts(agentId)).toEqual([]);
    await ingest(agentId, [ticket(20)]);
    expect((await policyAlerts(agentId)).map((a) => a.detail)).toEqual([
      '21 calls of tool "ticket_management" within one minute; the policy allows 20 per minute',
    ]);

    await removePolicy({ ctx: as("admin"), input: { agentId, reason: "test" } });
    await ingest(agentId, [makeEvent(agentId, { session_id: s, timestamp: t + 30, tool_name: "send_email", action_name: "send_email" })]);
    expect((await policyAlerts(agentId))[0]?.count).toBe(1);
  });

  it("drafts a least-privilege policy from days of traffic that, adopted, raises nothing on the same traffic", async () => {
    const { agentId } = await newAgent({ prefix: "policy-draft" });
    const traffic = (offsetS: number) =>
      [5, 3, 1].flatMap((daysAgo) =>
        Array.from({ length: 6 }, (_, i) => {
          const base = Date.now() / 1000 - daysAgo * 86_400 + offsetS;
          const s = `sess_draft_${daysAgo}_${offsetS}`;
          return i % 3 === 2
            ? makeEvent(agentId, {
                session_id: s,
                timestamp: base + i * 10,
                tool_name: "ticket_management",
                action_name: "ticket_management",
                metadata: { permission: "write", resource: [`tickets.${i}`], approval_id: "APR-1" },
              })
            : makeEvent(agentId, {
                session_id: s,
                timestamp: base + i * 10,
                tool_name: "customer_lookup",
                metadata: { permission: "read", resource: "customers.email", row_count: i + daysAgo },
              });
        }),
      );
    await ingest(agentId, traffic(0));
    await expect(proposePolicy({ ctx: as("viewer"), input: { agentId, days: 7 } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(proposePolicy({ ctx: as("analyst"), input: { agentId, days: 31 } })).rejects.toMatchObject({ code: "VALIDATION" });
    const draft = await proposePolicy({ ctx: as("analyst"), input: { agentId, days: 7 } });
    expect(draft.evidence).toMatchObject({ window_days: 7, sessions: 3, max_tool_calls_per_session: 6 });
    expect(draft.evidence.max_session_seconds).toBeCloseTo(50, 1);
    expect(draft.policy.permissions).toEqual([
      {
        tool_name: "customer_lookup",
        allowed_actions: ["read"],
        resource_scope: ["customers.email"],
        rate_limit: 6,
        requires_approval: false,
        max_data_rows: 14,
      },
      {
        tool_name: "ticket_management",
        allowed_actions: ["write"],
        resource_scope: ["tickets.2", "tickets.5"],
        rate_limit: 3,
        requires_approval: true,
        max_data_rows: 100,
      },
    ]);
    expect(draft.notes.customer_lookup).toContain("12 calls in 3 sessions");
    // Two days back it saw one day only.
    expect((await proposePolicy({ ctx: as("analyst"), input: { agentId, days: 2 } })).evidence.sessions).toBe(1);

    await setPolicy({ ctx: as("admin"), input: { agentId, policy: draft.policy } });
    await ingest(agentId, traffic(600));
    expect(await policyAlerts(agentId)).toEqual([]);
  });

  it("keeps the guide's capability grants, admin-only and audited, and raises unauthorized_agent_request outside them", async () => {
    const orchestrator = await newAgent({ prefix: "orchestrator" });
    const data = await newAgent({ prefix: "data-agent" });
    const email = `email-agent-${randomUUID().slice(0, 8)}`;
    const dataGrant = {
      source_agent: orchestrator.agentId,
      target_agent: data.agentId,
      allowed_actions: ["query_sales", "query_inventory", "generate_report"],
      max_requests_per_minute: 20,
    };
    await expect(grantCapability({ ctx: as("responder"), input: dataGrant })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { id } = await grantCapability({ ctx: as("admin"), input: dataGrant });
    await expect(grantCapability({ ctx: as("admin"), input: dataGrant })).rejects.toMatchObject({ code: "CONFLICT" });
    const past = Date.now() / 1000 - 60;
    await grantCapability({
      ctx: as("admin"),
      input: { source_agent: orchestrator.agentId, target_agent: email, allowed_actions: ["send_notification"], max_requests_per_minute: 5, expires_at: past },
    });
    const listed = await listCapabilities(appDb(), { agentId: orchestrator.agentId, includeRevoked: false });
    expect(listed.map((g) => [g.target_agent, g.allowed_actions, g.expired])).toEqual([
      [email, ["send_notification"], true],
      [data.agentId, ["generate_report", "query_inventory", "query_sales"], false],
    ]);
    const audit = (await listAudit(appDb(), { target_type: "capability", target_id: id, limit: 5 })).entries;
    expect(audit.map((e) => e.action)).toEqual(["capability.grant"]);

    const s = `sess_${randomUUID().slice(0, 8)}`;
    const ask = (target: string, action: string) =>
      makeEvent(orchestrator.agentId, {
        session_id: s,
        action_type: "decision",
        action_name: "delegate",
        tool_name: null,
        metadata: { target_agent: target, requested_action: action },
      });
    await ingest(orchestrator.agentId, [
      ask(data.agentId, "query_sales"),
      ask(data.agentId, "drop_tables"),
      ask(email, "send_notification"),
      ask("payments-agent", "refund"),
    ]);
    const alerts = (await listAlerts(appDb(), { agent_id: orchestrator.agentId, type: "unauthorized_agent_request" } as Parameters<typeof listAlerts>[1]))
      .alerts;
    expect(alerts.map((a) => [a.severity, a.count])).toEqual([["high", 3]]);
    // The receiver's own report is judged too: an agent outside the registry asking data-agent.
    await ingest(data.agentId, [
      makeEvent(data.agentId, {
        session_id: s,
        action_type: "decision",
        action_name: "query_sales",
        tool_name: null,
        metadata: { sender_agent: "rogue-agent" },
      }),
    ]);
    const received = (await listAlerts(appDb(), { agent_id: data.agentId, type: "unauthorized_agent_request" } as Parameters<typeof listAlerts>[1])).alerts;
    expect(received.map((a) => a.detail)).toEqual([`rogue-agent asked ${data.agentId} to "query_sales": no capability grant`]);

    await expect(revokeCapability({ ctx: as("admin"), input: { id, reason: "" } })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(revokeCapability({ ctx: as("admin"), input: { id: "not-a-uuid", reason: "x" } })).rejects.toMatchObject({ code: "VALIDATION" });
    await revokeCapability({ ctx: as("admin"), input: { id, reason: "reports moved" } });
    await expect(revokeCapability({ ctx: as("admin"), input: { id, reason: "again" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listCapabilities(appDb(), { agentId: data.agentId, includeRevoked: true }))[0]).toMatchObject({ id, revoke_reason: "reports moved" });
  });

  it("judges a grant's max_requests_per_minute per pair across batches, and compliant traffic not at all", async () => {
    const orchestrator = await newAgent({ prefix: "orchestrator" });
    const data = await newAgent({ prefix: "data-agent" });
    await grantCapability({
      ctx: as("admin"),
      input: { source_agent: orchestrator.agentId, target_agent: data.agentId, allowed_actions: ["query_sales"], max_requests_per_minute: 20 },
    });
    const t = Date.now() / 1000 - 300;
    const ask = (i: number, session: string) =>
      makeEvent(orchestrator.agentId, {
        session_id: session,
        timestamp: t + i,
        action_type: "decision",
        action_name: "delegate",
        tool_name: null,
        metadata: { target_agent: data.agentId, requested_action: "query_sales" },
      });
    const requestAlerts = async () =>
      (await listAlerts(appDb(), { agent_id: orchestrator.agentId, type: "unauthorized_agent_request" } as Parameters<typeof listAlerts>[1])).alerts;
    // Twenty a minute, spread over two minutes and two sessions: within the grant.
    const s1 = `sess_${randomUUID().slice(0, 8)}`;
    const s2 = `sess_${randomUUID().slice(0, 8)}`;
    await ingest(
      orchestrator.agentId,
      Array.from({ length: 20 }, (_, i) => ask(i * 3, s1)),
    );
    expect(await requestAlerts()).toEqual([]);
    // Five more in the same minute, in another batch and another session: the pair is counted, not the session.
    await ingest(
      orchestrator.agentId,
      Array.from({ length: 5 }, (_, i) => ask(57 + i * 0.1, s2)),
    );
    const alerts = await requestAlerts();
    expect(alerts.map((a) => [a.severity, a.count, a.session_id])).toEqual([["high", 5, s2]]);
    expect(alerts[0]?.detail).toBe(`${orchestrator.agentId} asked ${data.agentId} to "query_sales": 21 requests in a minute; the grant allows 20`);
    // The receiver's reports of the same pair are counted on its side, from its own events.
    await ingest(
      data.agentId,
      Array.from({ length: 20 }, (_, i) =>
        makeEvent(data.agentId, {
          session_id: s1,
          timestamp: t + 200 + i,
          action_type: "decision",
          action_name: "query_sales",
          tool_name: null,
          metadata: { sender_agent: orchestrator.agentId },
        }),
      ),
    );
    expect((await listAlerts(appDb(), { agent_id: data.agentId, type: "unauthorized_agent_request" } as Parameters<typeof listAlerts>[1])).alerts).toEqual([]);
  });

  it("judges where a batch came from against allowed_ip_ranges, once per session and address", async () => {
    const { agentId } = await newAgent({ prefix: "policy-ip" });
    await setPolicy({
      ctx: as("admin"),
      input: { agentId, policy: { ...SUPPORT_AGENT_POLICY, agent_id: agentId, allowed_ip_ranges: ["10.0.0.0/8", "2001:db8::/32"] } },
    });
    const s = `sess_${randomUUID().slice(0, 8)}`;
    const t = Date.now() / 1000 - 300;
    const call = (i: number, session = s) =>
      makeEvent(agentId, { session_id: session, timestamp: t + i, tool_name: "ticket_management", action_name: "ticket_management" });
    await ingest(agentId, [call(0), call(1)], "10.20.30.40");
    await ingest(agentId, [call(2)], "::ffff:10.0.0.7");
    await ingest(agentId, [call(3)], "2001:db8::42");
    expect(await policyAlerts(agentId)).toEqual([]);

    await ingest(agentId, [call(4), call(5), call(6)], "203.0.113.9");
    await ingest(agentId, [call(7)], "203.0.113.9");
    let alerts = await policyAlerts(agentId);
    expect(alerts.map((a) => [a.severity, a.count])).toEqual([["high", 1]]);
    expect(alerts[0]?.detail).toBe(`A batch reached the console from "203.0.113.9", outside the policy's allowed_ip_ranges (10.0.0.0/8, 2001:db8::/32)`);
    // Another address, and an address the console could not know, are each told once more.
    await ingest(agentId, [call(8)], "198.51.100.1");
    await ingest(agentId, [call(9)], null);
    await ingest(agentId, [call(10)], null);
    alerts = await policyAlerts(agentId);
    expect(alerts[0]?.count).toBe(3);
    // A new session from a known outside address is a new session told.
    const other = `sess_${randomUUID().slice(0, 8)}`;
    await ingest(agentId, [call(11, other)], "203.0.113.9");
    expect((await policyAlerts(agentId)).map((a) => [a.session_id, a.count]).sort()).toEqual(
      [
        [other, 1],
        [s, 3],
      ].sort(),
    );
  });

  it("lists the fleet's policies to a viewer at GET /api/v1/policies, and names the agents without one", async () => {
    const { agentId } = await agentWithSupportPolicy();
    const bare = await newAgent({ prefix: "00-no-policy" });
    const route = (await discoverRoutes()).find((r) => r.key === "GET /api/v1/policies");
    if (!route) throw new Error("GET /api/v1/policies missing");
    const res = await callRoute(route, { params: {}, headers: await bearer("viewer") });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      policies: { agent_id: string; version: number; policy: { permissions: { tool_name: string }[]; allowed_ip_ranges: string[] } }[];
      without_policy: string[];
      without_policy_total: number;
    };
    const mine = body.policies.find((p) => p.agent_id === agentId);
    expect(mine?.version).toBe(1);
    expect(mine?.policy.permissions.map((p) => p.tool_name)).toEqual(["customer_lookup", "order_lookup", "ticket_management"]);
    expect(mine?.policy.allowed_ip_ranges).toEqual([]);
    expect(body.without_policy).toContain(bare.agentId);
    expect(body.without_policy).not.toContain(agentId);
    expect(body.without_policy_total).toBeGreaterThanOrEqual(body.without_policy.length);
    expect((await callRoute(route, { params: {}, headers: {} })).status).toBe(401);
  });

  it("drafts from sessions another agent sent ungranted requests into: the victim's history is not voided", async () => {
    const victim = await newAgent({ prefix: "policy-victim" });
    const sender = await newAgent({ prefix: "policy-sender" });
    // The victim holds a grant as a target, so the requests it receives are judged.
    await grantCapability({ ctx: as("admin"), input: { source_agent: `${victim.agentId}-peer`, target_agent: victim.agentId, allowed_actions: ["ping"] } });
    const t = Date.now() / 1000 - 3600;
    for (let i = 0; i < 3; i++) {
      const session_id = `sess_victim_${i}`;
      await ingest(victim.agentId, [
        makeEvent(victim.agentId, {
          session_id,
          timestamp: t + i * 60,
          tool_name: "kb_search",
          action_name: "kb_search",
          metadata: { permission: "read", resource: "kb.articles" },
        }),
        makeEvent(victim.agentId, {
          session_id,
          timestamp: t + i * 60 + 1,
          action_type: "decision",
          action_name: "handle",
          metadata: { sender_agent: sender.agentId, requested_action: "drop" },
        }),
      ]);
    }
    const raised = (await listAlerts(appDb(), { agent_id: victim.agentId, type: "unauthorized_agent_request" } as Parameters<typeof listAlerts>[1])).alerts;
    expect(raised.length).toBeGreaterThan(0);
    const draft = await proposePolicy({ ctx: as("analyst"), input: { agentId: victim.agentId, days: 7 } });
    expect(draft.policy.permissions.map((p) => p.tool_name)).toEqual(["kb_search"]);
    expect(draft.evidence.excluded_sessions_with_high_alerts).toBe(0);
  });
});
