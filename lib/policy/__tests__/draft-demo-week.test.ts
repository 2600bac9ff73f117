import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { type AlertFilters, listAlerts } from "@/db/queries/detection";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { ingestEvents } from "@/lib/ingest";
import { proposePolicy, setPolicy } from "@/lib/policy";
import { COMPROMISED_SESSION_ID, DEMO_AGENTS, playDemoTraffic } from "@/scripts/demo/demo-traffic";
import { newAgent, readyAppRedis, testCtx } from "@/scripts/testing/fixtures";
import { Session } from "@/sdk/typescript/src/session";

const DAY_S = 86_400;

function as(role: Role): Ctx {
  return { ...testCtx(), actor: { type: "user", userId: randomUUID(), email: `${role}@example.com`, role, sessionId: randomUUID() } };
}

const demoSupport = DEMO_AGENTS[0];
if (!demoSupport) throw new Error("the demo has no support agent");

type Events = Record<string, unknown>[];

/**
 * One play of the demo (its last 6 hours before `nowSeconds`), logged through real SDK sessions
 * under each demo agent's fresh id in `ids`, per agent. The compromised session is kept only when
 * `compromised` says under what session id; `onlyCompromised` drops every other session.
 */
function demoDay(ids: Map<string, string>, nowSeconds: number, compromised: { as: string } | null, onlyCompromised = false): Map<string, Events> {
  const byAgent = new Map<string, Events>();
  playDemoTraffic(nowSeconds, (demoAgentId, sessionId, startedAt) => {
    const agentId = ids.get(demoAgentId);
    if (!agentId) throw new Error(`no test agent for demo agent ${demoAgentId}`);
    const isCompromised = sessionId === COMPROMISED_SESSION_ID;
    const kept = isCompromised ? compromised !== null : !onlyCompromised;
    const lines = byAgent.get(agentId) ?? [];
    byAgent.set(agentId, lines);
    const host = {
      agentId,
      summaryChars: 200,
      check: () => undefined,
      findInOutput: () => null,
      warn: (message: string) => {
        throw new Error(`the SDK refused a demo event: ${message}`);
      },
      enqueue: (line: string) => {
        if (kept) lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    };
    return new Session(host, isCompromised && compromised ? compromised.as : sessionId, { startedAt });
  });
  return byAgent;
}

let redis: Redis;
beforeAll(async () => {
  redis = await readyAppRedis();
});

async function ingest(byAgent: Map<string, Events>) {
  for (const [agentId, events] of byAgent) if (events.length > 0) await ingestAs(agentId, events);
}

async function ingestAs(agentId: string, events: Events) {
  const ctx: Ctx = { db: appDb(), actor: { type: "agent", agentId, keyId: randomUUID() }, requestId: `test-${randomUUID()}`, sourceIp: "127.0.0.1" };
  const result = await ingestEvents({
    ctx,
    settings: { redis, retentionDays: 30, defaultRateLimitPerMin: 1_000_000 },
    input: { records: events.map((value, index) => ({ index, value })), rateLimitPerMin: null },
  });
  expect(result).toMatchObject({ accepted: events.length, rejected: [] });
}

const alertsOf = async (filters: AlertFilters) => (await listAlerts(appDb(), filters)).alerts;

describe("a policy drafted from a week of the demo's traffic", () => {
  it("grants the support agent's own tools, leaves out the compromised session and names what only it called, and adopted raises nothing on a normal day", async () => {
    // Fresh agents stand in for the demo's three, so no other test's data (or a second run) shares them.
    const ids = new Map<string, string>();
    for (const demo of DEMO_AGENTS) ids.set(demo.agentId, (await newAgent({ prefix: `demo-${demo.agentId.split("-")[0]}` })).agentId);
    const agentId = ids.get(demoSupport.agentId) ?? "";
    const now = Date.now() / 1000;
    // Seven days of the demo; the attack on the last one, as the demo plays it.
    for (let d = 6; d >= 0; d--) await ingest(demoDay(ids, now - d * DAY_S - 60, d === 0 ? { as: COMPROMISED_SESSION_ID } : null));

    const raised = await alertsOf({ agent_id: agentId, session_id: COMPROMISED_SESSION_ID } as AlertFilters);
    expect(raised.filter((a) => a.severity === "high" || a.severity === "critical").length).toBeGreaterThan(0);
    const highElsewhere = (await alertsOf({ agent_id: agentId } as AlertFilters)).filter(
      (a) => a.session_id !== COMPROMISED_SESSION_ID && (a.severity === "high" || a.severity === "critical"),
    );
    expect(highElsewhere).toEqual([]);

    const draft = await proposePolicy({ ctx: as("analyst"), input: { agentId, days: 7 } });
    const normalTools = demoSupport.tools.map((t) => t.name).sort();
    expect(draft.policy.permissions.map((p) => p.tool_name).sort()).toEqual(normalTools);
    expect(draft.evidence.tools.map((t) => t.tool).sort()).toEqual(normalTools);
    expect(draft.evidence).toMatchObject({ window_days: 7, sessions: 7 * 14, excluded_sessions_with_high_alerts: 1 });
    // A normal session makes 3 to 7 tool calls; the compromised one's 43, 41 of them lookups within seconds, are not what the limits stand on.
    expect(draft.evidence.max_tool_calls_per_session).toBeLessThanOrEqual(7);
    expect(Math.max(...draft.evidence.tools.map((t) => t.peak_per_minute))).toBeLessThanOrEqual(7);
    expect(draft.excluded_tools).toEqual(["export_customers", "http_post"]);
    expect(draft.evidence.excluded_tools).toEqual([
      { tool: "export_customers", calls: 1, sessions: 1 },
      { tool: "http_post", calls: 1, sessions: 1 },
    ]);
    expect(draft.notes.export_customers).toEqual(["1 calls in 1 sessions, each with a high or critical alert: not granted"]);
    expect(draft.notes.session).toContain("1 session with a high or critical alert left out: its calls grant nothing");

    await setPolicy({ ctx: as("admin"), input: { agentId, policy: draft.policy } });
    await ingest(demoDay(ids, Date.now() / 1000, null));
    expect(await alertsOf({ agent_id: agentId, type: "policy_violation" } as AlertFilters)).toEqual([]);

    // The same policy stops the attack it was not drafted from.
    const replayed = `sess_support_compromised_${randomUUID().slice(0, 8)}`;
    await ingest(demoDay(ids, Date.now() / 1000, { as: replayed }, true));
    const violations = await alertsOf({ agent_id: agentId, type: "policy_violation" } as AlertFilters);
    expect(violations.map((v) => v.session_id)).toEqual([replayed]);
    expect(violations.map((v) => v.detail).join("\n")).toContain('"export_customers", which its policy does not grant');
  });
});
