import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { POST as ackRoute } from "@/app/api/v1/agents/[agentId]/ack/route";
import { GET as statusStream } from "@/app/api/v1/agents/[agentId]/status/stream/route";
import { POST as ingest } from "@/app/api/v1/ingest/route";
import { PUT as putAgentKill } from "@/app/api/v1/killswitch/agents/[agentId]/route";
import { GET as getKillSwitches } from "@/app/api/v1/killswitch/route";
import { appDb } from "@/db/client";
import { revokeIngestKey } from "@/lib/agents";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import {
  agentKey,
  agentStatus,
  applyKillPolicies,
  GLOBAL_KEY,
  killAgent,
  killAll,
  liftAll,
  MARKER_KEY,
  reconcileKillSwitches,
  reviveAgent,
  setKillPolicies,
} from "@/lib/killswitch";
import { KILLSWITCH_LOCK, recordChange } from "@/lib/killswitch/apply-change";
import { KILLSWITCH_SYNC_MS, startKillSwitchSync } from "@/lib/killswitch/sync-loop";
import { appRedis } from "@/lib/redis";
import { bearer, makeEvent, newAgent, readyAppRedis, testCtx } from "@/scripts/testing/fixtures";
import { startRedisServer } from "@/scripts/testing/infra";

function as(role: Role): Ctx {
  return { ...testCtx(), actor: { type: "user", userId: randomUUID(), email: `${role}@example.com`, role, sessionId: randomUUID() } };
}

function redis(): Redis {
  const r = appRedis();
  if (!r) throw new Error("the tests need Redis");
  return r;
}

const settings = () => ({ redis: redis() });
let listener: Redis;
const messages: string[] = [];

async function nextMessages(count: number): Promise<string[]> {
  for (let i = 0; i < 50 && messages.length < count; i++) await new Promise((r) => setTimeout(r, 20));
  return messages.splice(0, count);
}

async function auditFor(ctx: Ctx) {
  return (await appDb().execute<{ action: string; reason: string }>(sql`SELECT action, reason FROM audit_log WHERE request_id = ${ctx.requestId}`)).rows;
}

beforeAll(async () => {
  listener = new Redis(inject("redisUrl"));
  await listener.subscribe("agent:killswitch:events");
  listener.on("message", (_c: string, m: string) => messages.push(m));
  await reconcileKillSwitches(appDb(), await readyAppRedis());
});

afterAll(async () => {
  listener.disconnect();
});

describe("kill switches against the real Redis", () => {
  it("kill writes exactly the agent hash and message agents read, records it in PostgreSQL, and audits it", async () => {
    const { agentId } = await newAgent();
    await expect(killAgent({ ctx: as("analyst"), settings: settings(), input: { agentId, reason: "nope" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    messages.length = 0;
    const ctx = as("responder");
    const result = await killAgent({ ctx, settings: settings(), input: { agentId, reason: "Prompt injection detected" } });
    const fields = await redis().hgetall(agentKey(agentId));
    expect(Object.keys(fields).sort()).toEqual(["killed", "killed_at", "killed_by", "reason"]);
    expect(fields).toMatchObject({ killed: "true", reason: "Prompt injection detected", killed_by: "user:responder@example.com" });
    expect(Number(fields.killed_at) * 1000).toBeCloseTo(Date.parse(result.killed_at), -1);
    expect(await nextMessages(1)).toEqual([
      `{"action": "kill", "agent_id": "${agentId}", "reason": "Prompt injection detected", "killed_by": "user:responder@example.com"}`,
    ]);
    expect(await auditFor(ctx)).toEqual([{ action: "killswitch.kill", reason: "Prompt injection detected" }]);
    expect(await agentStatus(appDb(), redis(), agentId)).toEqual({ alive: false, reason: "Agent killed: Prompt injection detected", source: "redis" });
  });

  it("a kill replaces whatever the agent's hash held: a field left from before (set by hand) is gone", async () => {
    const { agentId } = await newAgent();
    await redis().hset(agentKey(agentId), { killed: "false", note: "left by an earlier tool", reason: "old" });
    const res = await putAgentKill(
      new Request(`http://soc.test/api/v1/killswitch/agents/${agentId}`, {
        method: "PUT",
        headers: { ...(await bearer("responder")), "content-type": "application/json" },
        body: JSON.stringify({ reason: "fresh kill" }),
      }),
      { params: Promise.resolve({ agentId }) },
    );
    expect(res.status).toBe(200);
    const fields = await redis().hgetall(agentKey(agentId));
    expect(Object.keys(fields).sort()).toEqual(["killed", "killed_at", "killed_by", "reason"]);
    expect(fields).toMatchObject({ killed: "true", reason: "fresh kill" });
  });

  it("revive is for admins only, deletes the key and says so on the channel", async () => {
    const { agentId } = await newAgent();
    await killAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "suspicious tool use" } });
    await expect(reviveAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "cleared" } })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    messages.length = 0;
    const ctx = as("admin");
    await reviveAgent({ ctx, settings: settings(), input: { agentId, reason: "false positive, reviewed" } });
    expect(await redis().exists(agentKey(agentId))).toBe(0);
    expect(await nextMessages(1)).toEqual([
      `{"action": "revive", "agent_id": "${agentId}", "reason": "false positive, reviewed", "revived_by": "user:admin@example.com"}`,
    ]);
    expect(await auditFor(ctx)).toEqual([{ action: "killswitch.revive", reason: "false positive, reviewed" }]);
    await expect(reviveAgent({ ctx: as("admin"), settings: settings(), input: { agentId, reason: "again" } })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("refuses a kill without a reason or for an unregistered agent, and writes nothing", async () => {
    await expect(killAgent({ ctx: as("responder"), settings: settings(), input: { agentId: "no-such-agent-xyz", reason: "typo" } })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const { agentId } = await newAgent();
    await expect(killAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "" } })).rejects.toMatchObject({ code: "VALIDATION" });
    expect(await redis().exists(agentKey(agentId))).toBe(0);
  });

  it("kill all and lift all write the global key as JSON agents parse, with roles enforced", async () => {
    await expect(killAll({ ctx: as("analyst"), settings: settings(), input: { reason: "incident" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    messages.length = 0;
    await killAll({ ctx: as("responder"), settings: settings(), input: { reason: "Security incident" } });
    const raw = await redis().get(GLOBAL_KEY);
    expect(raw).toMatch(/^\{"killed": true, "reason": "Security incident", "killed_by": "user:responder@example\.com", "killed_at": \d+(\.\d+)?\}$/);
    expect(await nextMessages(1)).toEqual(['{"action": "kill_all", "reason": "Security incident", "killed_by": "user:responder@example.com"}']);
    const { agentId } = await newAgent();
    expect((await agentStatus(appDb(), redis(), agentId)).reason).toBe("Global kill switch active: Security incident");
    await expect(liftAll({ ctx: as("responder"), settings: settings(), input: { reason: "over" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await liftAll({ ctx: as("admin"), settings: settings(), input: { reason: "incident closed" } });
    expect(await redis().get(GLOBAL_KEY)).toBeNull();
    expect(await nextMessages(1)).toEqual(['{"action": "lift_all", "reason": "incident closed", "lifted_by": "user:admin@example.com"}']);
  });

  it("treats a change made with redis-cli as real: it shows in GET /api/v1/killswitch with source redis", async () => {
    const { agentId } = await newAgent();
    await redis().hset(agentKey(agentId), { killed: "true", reason: "Prompt injection detected", killed_by: "security-team" });
    const report = await reconcileKillSwitches(appDb(), redis());
    expect(report.handKills).toContain(agentId);
    const res = await getKillSwitches(new Request("http://soc.test/api/v1/killswitch", { headers: await bearer("viewer") }));
    const body = (await res.json()) as { redis: string; agents: { agent_id: string; killed: boolean; source: string; killed_by: string }[] };
    expect(body.redis).toBe("ok");
    expect(body.agents.find((a) => a.agent_id === agentId)).toMatchObject({ killed: true, source: "redis", killed_by: "security-team" });

    await redis().del(agentKey(agentId));
    expect((await reconcileKillSwitches(appDb(), redis())).handRevives).toContain(agentId);
    const after = (await (await getKillSwitches(new Request("http://soc.test/api/v1/killswitch", { headers: await bearer("viewer") }))).json()) as typeof body;
    expect(after.agents.find((a) => a.agent_id === agentId)).toMatchObject({ killed: false, source: "redis" });
  });

  it("writes every recorded kill back within 5 s when Redis comes back empty, and records that it did", async () => {
    const { agentId } = await newAgent();
    await killAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "exfiltration" } });
    const stop = startKillSwitchSync(appDb(), redis(), 250);
    try {
      await redis().flushdb();
      const started = Date.now();
      let fields: Record<string, string> = {};
      while (Date.now() - started < 5000) {
        fields = await redis().hgetall(agentKey(agentId));
        if (fields.killed === "true") break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(fields).toMatchObject({ killed: "true", reason: "exfiltration" });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await redis().exists(MARKER_KEY)).toBe(1);
    } finally {
      stop();
    }
    // Redis is written inside the restoring transaction, so its audit row may commit a moment later.
    await vi.waitFor(async () => {
      const audit = await appDb().execute<{ after: { restored: string[] } }>(
        sql`SELECT after FROM audit_log WHERE action = 'killswitch.restore' ORDER BY id DESC LIMIT 1`,
      );
      expect(audit.rows[0]?.after.restored).toContain(agentId);
    });
  });

  it("a restore writes each recorded kill whole, dropping fields the hash gained by hand", async () => {
    const { agentId } = await newAgent();
    await killAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "restore me" } });
    await redis().hset(agentKey(agentId), { note: "added by hand" });
    await redis().del(MARKER_KEY);
    expect((await reconcileKillSwitches(appDb(), redis())).restored).toContain(agentId);
    const fields = await redis().hgetall(agentKey(agentId));
    expect(Object.keys(fields).sort()).toEqual(["killed", "killed_at", "killed_by", "reason"]);
    expect(fields).toMatchObject({ killed: "true", reason: "restore me" });
  });

  it("records a kill made by hand in Redis within about a second, at the interval the server runs the sync", async () => {
    const { agentId } = await newAgent();
    let passes = 0;
    const stop = startKillSwitchSync(appDb(), redis(), KILLSWITCH_SYNC_MS, () => passes++);
    try {
      while (passes === 0) await new Promise((r) => setTimeout(r, 10));
      const started = Date.now();
      await redis().hset(agentKey(agentId), { killed: "true", reason: "by hand", killed_by: "oncall" });
      let recorded = false;
      while (!recorded && Date.now() - started < 5000) {
        await new Promise((r) => setTimeout(r, 25));
        const row = await appDb().execute<{ killed: boolean }>(sql`SELECT killed FROM kill_switches WHERE scope = 'agent' AND agent_id = ${agentId}`);
        recorded = row.rows[0]?.killed === true;
      }
      expect(recorded).toBe(true);
      // docs/kill-switches.md promises "within about a second".
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      stop();
    }
  });

  it("restores kills Redis lost while keeping its marker (an old snapshot), instead of taking them for revives by hand", async () => {
    const { agentId } = await newAgent();
    await killAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "lost in a failover" } });
    const generation = Number(await redis().get("agentsoc:killswitch:generation"));
    await redis().del(agentKey(agentId));
    await redis().set("agentsoc:killswitch:generation", String(generation - 1));
    expect(await redis().exists(MARKER_KEY)).toBe(1);
    const report = await reconcileKillSwitches(appDb(), redis());
    expect(report.handRevives).not.toContain(agentId);
    expect(report.restored).toContain(agentId);
    expect(await redis().hgetall(agentKey(agentId))).toMatchObject({ killed: "true", reason: "lost in a failover" });
  });

  it("answers 503 and changes nothing when Redis is down, and says so when it is not configured", async () => {
    const { agentId } = await newAgent();
    const own = await startRedisServer();
    const client = new Redis(own.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
    client.on("error", () => undefined);
    await new Promise((resolve) => client.once("ready", resolve));
    expect(await client.ping()).toBe("PONG");
    await own.stop();
    await expect(killAgent({ ctx: as("responder"), settings: { redis: client }, input: { agentId, reason: "attempt" } })).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    client.disconnect();
    const recorded = await appDb().execute(sql`SELECT 1 FROM kill_switches WHERE agent_id = ${agentId}`);
    expect(recorded.rows).toHaveLength(0);
    await expect(killAgent({ ctx: as("responder"), settings: { redis: null }, input: { agentId, reason: "attempt" } })).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("Redis is not configured"),
    });
  });

  it("the agent door answers from the record when Redis cannot be asked, never alive for a killed agent", async () => {
    const { agentId } = await newAgent();
    await killAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "contained" } });
    expect(await agentStatus(appDb(), null, agentId)).toEqual({ alive: false, reason: "Agent killed: contained", source: "record" });
    const other = await newAgent();
    expect((await agentStatus(appDb(), null, other.agentId)).alive).toBe(true);
  });

  it("records the agent's acknowledgement and counts what it did after the kill", async () => {
    const { agentId, key } = await newAgent();
    await killAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "stop now" } });
    const later = Date.now() / 1000 + 1;
    const post = (events: unknown[]) =>
      ingest(
        new Request("http://soc.test/api/v1/ingest", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify(events),
        }),
      );
    expect((await post([makeEvent(agentId, { timestamp: later }), makeEvent(agentId, { timestamp: later + 0.5 })])).status).toBe(200);
    expect((await post([makeEvent(agentId, { timestamp: later + 1, action_type: "security", action_name: "killswitch_ack", tool_name: null })])).status).toBe(
      200,
    );
    const res = await getKillSwitches(new Request("http://soc.test/api/v1/killswitch", { headers: await bearer("viewer") }));
    const state = (
      (await res.json()) as { agents: { agent_id: string; actions_after_kill: number; acknowledged_at: string | null; time_to_stop_s: number | null }[] }
    ).agents.find((a) => a.agent_id === agentId);
    expect(state?.actions_after_kill).toBe(2);
    // The acknowledgement's own time (to the millisecond), not merely some value.
    expect(Math.abs(Date.parse(state?.acknowledged_at ?? "") - (later + 1) * 1000)).toBeLessThan(2);
    expect(state?.time_to_stop_s).toBeGreaterThan(0);
    const audit = await appDb().execute<{ action: string; actor_id: string }>(
      sql`SELECT action, actor_id FROM audit_log WHERE action = 'killswitch.ack' AND target_id = ${agentId}`,
    );
    expect(audit.rows).toEqual([{ action: "killswitch.ack", actor_id: `agent:${agentId}` }]);
  });

  it("takes a stopped agent's acknowledgement at its door, once, and audits it", async () => {
    const { agentId, key } = await newAgent();
    const ack = () =>
      ackRoute(new Request(`http://soc.test/api/v1/agents/${agentId}/ack`, { method: "POST", headers: { authorization: `Bearer ${key}` } }), {
        params: Promise.resolve({ agentId }),
      });
    expect(await (await ack()).json()).toEqual({ agent_id: agentId, acknowledged: false });
    await killAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "stop" } });
    expect(await (await ack()).json()).toEqual({ agent_id: agentId, acknowledged: true });
    expect(await (await ack()).json()).toEqual({ agent_id: agentId, acknowledged: false });
    const audit = await appDb().execute(sql`SELECT 1 FROM audit_log WHERE action = 'killswitch.ack' AND target_id = ${agentId}`);
    expect(audit.rows).toHaveLength(1);
  });

  it("counts an acknowledgement that arrives while the kill is still being recorded (the agent heard Redis first)", async () => {
    const { agentId, key } = await newAgent();
    const ack = () =>
      ackRoute(new Request(`http://soc.test/api/v1/agents/${agentId}/ack`, { method: "POST", headers: { authorization: `Bearer ${key}` } }), {
        params: Promise.resolve({ agentId }),
      });
    let answer: Promise<Response> | null = null;
    let answered = false;
    // As killAgent does: the lock, Redis told (here: nothing to tell), then the record, committed last.
    await appDb().transaction(async (tx) => {
      await tx.execute(KILLSWITCH_LOCK);
      await recordChange(tx, as("responder"), {
        scope: "agent",
        agentId,
        killed: true,
        reason: "stop now",
        killedBy: "user:responder@example.com",
        atMs: Date.now(),
        source: "console",
        action: "kill",
      });
      answer = ack().finally(() => {
        answered = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
    });
    if (!answer) throw new Error("no acknowledgement was sent");
    expect(await (await (answer as Promise<Response>)).json()).toEqual({ agent_id: agentId, acknowledged: true });
  });

  it("kills automatically when a session passes its agent's hard cost limit, naming the rule as killed_by", async () => {
    const { agentId, key } = await newAgent();
    await expect(
      setKillPolicies({ ctx: as("responder"), input: { agentId, policies: [{ rule: "session_cost_above", enabled: true, threshold_usd: 1 }] } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(setKillPolicies({ ctx: as("admin"), input: { agentId, policies: [{ rule: "session_cost_above", enabled: true }] } })).rejects.toMatchObject({
      code: "VALIDATION",
    });
    const ctx = as("admin");
    await setKillPolicies({ ctx, input: { agentId, policies: [{ rule: "session_cost_above", enabled: true, threshold_usd: 1 }] } });
    expect(await auditFor(ctx)).toEqual([expect.objectContaining({ action: "killswitch.policies" })]);
    const post = (cost: number) =>
      ingest(
        new Request("http://soc.test/api/v1/ingest", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify([makeEvent(agentId, { session_id: "sess_costly", action_type: "llm_call", cost_usd: cost, tool_name: null })]),
        }),
      );
    expect((await post(0.6)).status).toBe(200);
    expect(await redis().exists(agentKey(agentId))).toBe(0);
    expect((await post(0.6)).status).toBe(200);
    expect(await redis().hgetall(agentKey(agentId))).toMatchObject({ killed: "true", killed_by: "policy:session_cost_above" });
    const audit = await appDb().execute<{ actor_id: string; reason: string }>(
      sql`SELECT actor_id, reason FROM audit_log WHERE action = 'killswitch.kill' AND target_id = ${agentId}`,
    );
    expect(audit.rows).toEqual([{ actor_id: "system:policy:session_cost_above", reason: expect.stringContaining("above the hard limit of $1.00") }]);
  });

  it("kills on a leaked canary when the agent's policy says so, and not otherwise", async () => {
    const guarded = await newAgent();
    const unguarded = await newAgent();
    await setKillPolicies({ ctx: as("admin"), input: { agentId: guarded.agentId, policies: [{ rule: "canary_leak", enabled: true }] } });
    const signal = (agentId: string) => ({ kind: "canary_leak" as const, agentId, detail: "CANARY-7f3a9c2e in output" });
    expect(await applyKillPolicies({ db: appDb(), settings: settings(), signal: signal(guarded.agentId) })).toEqual(["canary_leak"]);
    expect(await applyKillPolicies({ db: appDb(), settings: settings(), signal: signal(unguarded.agentId) })).toEqual([]);
    expect((await redis().hgetall(agentKey(guarded.agentId))).killed_by).toBe("policy:canary_leak");
    expect(await redis().exists(agentKey(unguarded.agentId))).toBe(0);
  });

  it("streams the agent's status to its own door, pushes a kill at once, and ends when its key is revoked", async () => {
    const { agentId, key } = await newAgent();
    const controller = new AbortController();
    const res = await statusStream(
      new Request(`http://soc.test/api/v1/agents/${agentId}/status/stream`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal }),
      { params: Promise.resolve({ agentId }) },
    );
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no stream");
    const decoder = new TextDecoder();
    let buffer = "";
    const nextEvent = async (): Promise<{ event: string; data: Record<string, unknown> }> => {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(":")) continue;
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
          const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "{}") as Record<string, unknown>;
          return { event, data };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    };
    // The process-wide subscription is set up on first use; give it a moment to be listening.
    expect(await nextEvent()).toEqual({ event: "status", data: { alive: true, reason: "Agent is active", source: "redis" } });
    await new Promise((r) => setTimeout(r, 200));
    await killAgent({ ctx: as("responder"), settings: settings(), input: { agentId, reason: "streamed kill" } });
    let killed = await nextEvent();
    while (killed.data.alive !== false) killed = await nextEvent();
    expect(killed).toEqual({ event: "status", data: { alive: false, reason: "Agent killed: streamed kill", source: "redis" } });

    const keyRow = await appDb().execute<{ id: string }>(sql`SELECT id FROM ingest_keys WHERE agent_id = ${agentId}`);
    await revokeIngestKey({ ctx: as("admin"), input: { agentId, keyId: keyRow.rows[0]?.id ?? "", reason: "rotated" } });
    await reviveAgent({ ctx: as("admin"), settings: settings(), input: { agentId, reason: "wake the stream" } });
    let last = await nextEvent();
    while (last.event !== "revoked") last = await nextEvent();
    await expect(reader.read()).resolves.toMatchObject({ done: true });
    controller.abort();
  });
});
