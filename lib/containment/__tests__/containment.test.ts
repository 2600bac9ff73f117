import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getContainment } from "@/app/api/v1/agents/[agentId]/containment/route";
import { POST as issueTokenRoute } from "@/app/api/v1/agents/[agentId]/tool-tokens/route";
import { PUT as putAgentKill } from "@/app/api/v1/killswitch/agents/[agentId]/route";
import { appDb } from "@/db/client";
import { toolTokens } from "@/db/schema";
import type { Containment } from "@/lib/containment/schemas";
import type { Ctx } from "@/lib/context";
import { type AgentEvent, ingestEvents } from "@/lib/ingest";
import { grantCapability, setPolicy } from "@/lib/policy";
import { runRotations, startRotation } from "@/lib/rotation";
import { bearer, makeEvent, newAgent, readyAppRedis, userCtx } from "@/scripts/testing/fixtures";
import { SUPPORT_AGENT_POLICY } from "@/scripts/testing/guide-policy";

let redis: Redis;
let viewer: Record<string, string>;
let analyst: Record<string, string>;
let responder: Record<string, string>;
beforeAll(async () => {
  redis = await readyAppRedis();
  [viewer, analyst, responder] = await Promise.all([bearer("viewer"), bearer("analyst"), bearer("responder")]);
});

async function ingest(agentId: string, events: AgentEvent[]) {
  const ctx: Ctx = { db: appDb(), actor: { type: "agent", agentId, keyId: randomUUID() }, requestId: `test-${randomUUID()}`, sourceIp: "127.0.0.1" };
  const result = await ingestEvents({
    ctx,
    settings: { redis, retentionDays: 30, defaultRateLimitPerMin: 1_000_000 },
    input: { records: events.map((value, index) => ({ index, value })), rateLimitPerMin: null },
  });
  expect(result.rejected).toEqual([]);
}

async function containment(agentId: string, headers: Record<string, string>) {
  const res = await getContainment(new Request(`http://soc.test/api/v1/agents/${encodeURIComponent(agentId)}/containment`, { headers }), {
    params: Promise.resolve({ agentId }),
  });
  return { status: res.status, body: (await res.json()) as Containment & { error?: { code: string; message: string } } };
}

/** The agent asks for a token with its own ingest key, within the guide's support policy. */
async function issueToken(agent: { agentId: string; key: string }, ttlSeconds: number, tools = ["customer_lookup"]) {
  const res = await issueTokenRoute(
    new Request(`http://soc.test/api/v1/agents/${agent.agentId}/tool-tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${agent.key}`, "content-type": "application/json" },
      body: JSON.stringify({ tools, permissions: ["read"], ttl_seconds: ttlSeconds }),
    }),
    { params: Promise.resolve({ agentId: agent.agentId }) },
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { jti: string }).jti;
}

async function withSupportPolicy(agent: { agentId: string }) {
  await setPolicy({ ctx: userCtx("admin"), input: { agentId: agent.agentId, policy: { ...SUPPORT_AGENT_POLICY, agent_id: agent.agentId } } });
}

/** A token that has expired: the issuing verb cannot issue one in the past, so its record is written as the verb writes it. */
async function recordExpiredToken(agentId: string) {
  const now = Date.now();
  await appDb()
    .insert(toolTokens)
    .values({
      jti: randomUUID(),
      agentId,
      tools: ["customer_lookup"],
      permissions: ["read"],
      toolPermissions: { customer_lookup: ["read"] },
      alg: "EdDSA",
      kid: null,
      policyVersion: 1,
      issuedAt: new Date(now - 600_000),
      expiresAt: new Date(now - 5_000),
    });
}

describe("GET /api/v1/agents/{agentId}/containment", () => {
  it("names what a kill would stop: sessions in flight, live tool tokens, dependents with their requests, rotations", async () => {
    const billing = await newAgent({ prefix: "billing" });
    const support = await newAgent({ prefix: "support" });
    const ledger = await newAgent({ prefix: "ledger" });
    const lapsed = await newAgent({ prefix: "lapsed" });
    const admin = userCtx("admin");
    const nowS = Date.now() / 1000;

    const dependent = await grantCapability({
      ctx: admin,
      input: { source_agent: support.agentId, target_agent: billing.agentId, allowed_actions: ["refund", "lookup"] },
    });
    const upstream = await grantCapability({
      ctx: admin,
      input: { source_agent: billing.agentId, target_agent: ledger.agentId, allowed_actions: ["post_entry"] },
    });
    await grantCapability({
      ctx: admin,
      input: { source_agent: lapsed.agentId, target_agent: billing.agentId, allowed_actions: ["lookup"], expires_at: Math.floor(nowS) - 60 },
    });

    // Issuing a token outside a session is recorded under the console's own session name: not a session in flight.
    // support's own log says it asked billing 3 times; billing's log saw 2 of them: counted once, as 3.
    await ingest(
      support.agentId,
      Array.from({ length: 3 }, (_, i) =>
        makeEvent(support.agentId, { session_id: "sup-1", timestamp: nowS - 60 + i, action_name: "refund", metadata: { target_agent: billing.agentId } }),
      ),
    );
    const live = `live-${randomUUID().slice(0, 8)}`;
    const old = `old-${randomUUID().slice(0, 8)}`;
    await ingest(billing.agentId, [
      makeEvent(billing.agentId, { session_id: old, timestamp: nowS - 3600 }),
      makeEvent(billing.agentId, { session_id: live, timestamp: nowS - 120, action_name: "refund", metadata: { sender_agent: support.agentId } }),
      makeEvent(billing.agentId, { session_id: live, timestamp: nowS - 30, action_name: "refund", metadata: { sender_agent: support.agentId } }),
      makeEvent(billing.agentId, { session_id: live, timestamp: nowS - 10, action_type: "llm_call", tool_name: null, cost_usd: 0.25 }),
    ]);

    await Promise.all([withSupportPolicy(billing), withSupportPolicy(support)]);
    const soon = await issueToken(billing, 120);
    const later = await issueToken(billing, 600, ["order_lookup", "customer_lookup"]);
    await recordExpiredToken(billing.agentId);
    await issueToken(support, 300);

    const { status, body } = await containment(billing.agentId, viewer);
    expect(status).toBe(200);
    expect(body).toMatchObject({ agent_id: billing.agentId, killed: false, windows: { sessions_in_flight_minutes: 15, requests_hours: 24 } });
    expect(body.sessions_in_flight_total).toBe(1);
    expect(body.sessions_in_flight).toEqual([expect.objectContaining({ session_id: live, events: 3, tool_calls: 2, cost_usd: expect.closeTo(0.25, 6) })]);

    expect(body.tool_tokens.live).toBe(2);
    expect(body.tool_tokens.revoked_unexpired).toBe(0);
    expect(body.tool_tokens.tokens.map((t) => t.jti)).toEqual([later, soon]);
    expect(body.tool_tokens.tokens[0]).toMatchObject({ tools: ["order_lookup", "customer_lookup"], permissions: ["read"], state: "live" });
    expect(body.tool_tokens.last_expires_at).toBe(body.tool_tokens.tokens[0]?.expires_at);

    expect(body.dependents.map((g) => [g.source_agent, g.requests_24h, g.expired])).toEqual([
      [support.agentId, 3, false],
      [lapsed.agentId, 0, true],
    ]);
    expect(body.dependents[0]).toMatchObject({ grant_id: dependent.id, allowed_actions: ["lookup", "refund"] });
    expect(Date.parse(body.dependents[0]?.last_request_at ?? "")).toBeCloseTo((nowS - 30) * 1000, -3);
    expect(body.depends_on).toEqual([
      expect.objectContaining({ grant_id: upstream.id, target_agent: ledger.agentId, requests_24h: 0, last_request_at: null, expired: false }),
    ]);
    // Credentials are for analysts and up, as the inventory is.
    expect(body.rotations).toBeNull();

    const asAnalyst = await containment(billing.agentId, analyst);
    expect(asAnalyst.body.rotations).toEqual([
      expect.objectContaining({ kind: "ingest_key", automatic: false, last_run_state: "never_rotated", next_due_at: null, last_rotated_at: null }),
    ]);
  });

  it("shows a live rotation run as one the worker carries on by itself, then its outcome", async () => {
    const agent = await newAgent({ prefix: "rotating" });
    const started = await startRotation({ ctx: userCtx("responder"), input: { agent_id: agent.agentId } });
    const during = (await containment(agent.agentId, analyst)).body.rotations;
    expect(during).toEqual([
      expect.objectContaining({ automatic: true, last_run_state: "rotating", last_run_id: started.id, step: "revoke_old", next_due_at: expect.any(String) }),
    ]);
    await runRotations();
    const after = (await containment(agent.agentId, analyst)).body.rotations;
    expect(after).toEqual([
      expect.objectContaining({ automatic: false, last_run_state: "rotated", next_due_at: null, step: null, last_rotated_at: expect.any(String) }),
    ]);
  });

  it("says killed after a kill, whose revocation leaves no token live", async () => {
    const agent = await newAgent({ prefix: "kill-preview" });
    await withSupportPolicy(agent);
    await issueToken(agent, 300);
    await issueToken(agent, 60);
    const before = (await containment(agent.agentId, viewer)).body;
    expect(before).toMatchObject({ killed: false, tool_tokens: { live: 2, revoked_unexpired: 0 } });
    const killed = await putAgentKill(
      new Request(`http://soc.test/api/v1/killswitch/agents/${agent.agentId}`, {
        method: "PUT",
        headers: { ...responder, "content-type": "application/json" },
        body: JSON.stringify({ reason: "dry-run test" }),
      }),
      { params: Promise.resolve({ agentId: agent.agentId }) },
    );
    expect(killed.status).toBe(200);
    const after = (await containment(agent.agentId, viewer)).body;
    expect(after).toMatchObject({ killed: true, tool_tokens: { live: 0, last_expires_at: null, revoked_unexpired: 2, tokens: [] } });
  });

  it("answers 404 for an unknown agent, and 400 naming the field for an id no agent can have", async () => {
    const unknown = await containment(`ghost-${randomUUID().slice(0, 6)}`, viewer);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe("NOT_FOUND");
    const hostile = await containment(`ghost-<b>%00'$(id)-${randomUUID().slice(0, 6)}`, viewer);
    expect(hostile.status).toBe(400);
    expect(hostile.body.error?.message).toMatch(/agentId/);
    const nul = await containment("bad\u0000agent", viewer);
    expect(nul.status).toBe(400);
    expect(nul.body.error?.message).toMatch(/agentId/);
  });

  it("is refused without a token", async () => {
    const agent = await newAgent({ prefix: "anon" });
    expect((await containment(agent.agentId, {})).status).toBe(401);
  });
});
