import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteAgentKill, PUT as putAgentKill } from "@/app/api/v1/killswitch/agents/[agentId]/route";
import { PUT as putGlobalKill } from "@/app/api/v1/killswitch/global/route";
import { appDb } from "@/db/client";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { agentKey, applyKillPolicies, GLOBAL_KEY, killAgent, reconcileKillSwitches, reviveAgent, setKillPolicies } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";
import { bearer, newAgent, readyAppRedis, testCtx, withOwnerDb } from "@/scripts/testing/fixtures";

function redis() {
  const r = appRedis();
  if (!r) throw new Error("the tests need Redis");
  return r;
}

function as(role: Role): Ctx {
  return { ...testCtx(), actor: { type: "user", userId: randomUUID(), email: `${role}@example.com`, role, sessionId: randomUUID() } };
}

async function recorded(agentId: string) {
  const db = appDb();
  const [state] = (
    await db.execute<{ killed: boolean; reason: string; killed_by: string }>(
      sql`SELECT killed, reason, killed_by FROM kill_switches WHERE scope = 'agent' AND agent_id = ${agentId}`,
    )
  ).rows;
  const history = (await db.execute(sql`SELECT 1 FROM kill_switch_history WHERE agent_id = ${agentId}`)).rows.length;
  const audit = (await db.execute(sql`SELECT 1 FROM audit_log WHERE target_id = ${agentId} AND action LIKE 'killswitch.%'`)).rows.length;
  return { state, history, audit };
}

const json = (body: unknown) => JSON.stringify(body);

async function callAgentRoute(method: "PUT" | "DELETE", agentId: string, body: string, role: Role) {
  const handler = method === "PUT" ? putAgentKill : deleteAgentKill;
  const res = await handler(
    new Request(`http://soc.test/api/v1/killswitch/agents/${encodeURIComponent(agentId)}`, {
      method,
      headers: { ...(await bearer(role)), "content-type": "application/json" },
      body,
    }),
    { params: Promise.resolve({ agentId }) },
  );
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string; errors?: { path: string; message: string }[] } } };
}

beforeAll(async () => {
  await reconcileKillSwitches(appDb(), await readyAppRedis());
});

describe("values that cannot be stored are refused before anything is written", () => {
  it.each([
    ["a NUL", "stop\u0000now"],
    ["a lone surrogate", "stop \ud800 now"],
    ["a terminal escape", "stop \u001b[31m now"],
  ])("a kill whose reason holds %s answers 400 naming reason, with nothing in Redis and nothing recorded", async (_what, reason) => {
    const { agentId } = await newAgent();
    const res = await callAgentRoute("PUT", agentId, json({ reason }), "responder");
    expect(res.status).toBe(400);
    expect(res.body.error?.errors).toEqual([{ path: "reason", message: expect.stringContaining("cannot be stored") }]);
    expect(await redis().exists(agentKey(agentId))).toBe(0);
    expect(await recorded(agentId)).toEqual({ state: undefined, history: 0, audit: 0 });
  });

  it("refuses an agent id holding NUL, and a kill-all or revive whose reason holds one, changing nothing", async () => {
    const bad = await callAgentRoute("PUT", "agent\u0000x", json({ reason: "valid reason" }), "responder");
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/^agentId: contains a NUL character/);

    const all = await putGlobalKill(
      new Request("http://soc.test/api/v1/killswitch/global", {
        method: "PUT",
        headers: { ...(await bearer("responder")), "content-type": "application/json" },
        body: json({ reason: "everyone\u0000stop" }),
      }),
    );
    expect(all.status).toBe(400);
    expect(await redis().exists(GLOBAL_KEY)).toBe(0);

    const { agentId } = await newAgent();
    await killAgent({ ctx: as("responder"), settings: { redis: redis() }, input: { agentId, reason: "contained" } });
    const revive = await callAgentRoute("DELETE", agentId, json({ reason: "all\u0000clear" }), "admin");
    expect(revive.status).toBe(400);
    expect(await redis().hget(agentKey(agentId), "killed")).toBe("true");
    expect((await recorded(agentId)).state?.killed).toBe(true);
  });

  it("refuses a killed_by that cannot be stored (an actor named with a NUL), before Redis is touched", async () => {
    const { agentId } = await newAgent();
    const ctx: Ctx = { ...testCtx(), actor: { type: "system", id: "policy:x\u0000y" } };
    await expect(killAgent({ ctx, settings: { redis: redis() }, input: { agentId, reason: "valid reason" } })).rejects.toMatchObject({
      code: "VALIDATION",
      message: expect.stringContaining("killed_by"),
    });
    expect(await redis().exists(agentKey(agentId))).toBe(0);
  });

  it("still kills automatically when the alert behind the policy holds a NUL and is too long for a reason", async () => {
    const { agentId } = await newAgent();
    await setKillPolicies({ ctx: as("admin"), input: { agentId, policies: [{ rule: "critical_alert", enabled: true }] } });
    const detail = `alert #1: tool ${"x".repeat(600)}\u0000 \ud800 output`;
    expect(await applyKillPolicies({ db: appDb(), settings: { redis: redis() }, signal: { kind: "critical_alert", agentId, detail } })).toEqual([
      "critical_alert",
    ]);
    const fields = await redis().hgetall(agentKey(agentId));
    expect(fields.killed).toBe("true");
    expect(fields.reason?.length).toBeLessThanOrEqual(500);
    expect(fields.reason).not.toContain("\u0000");
    const { state } = await recorded(agentId);
    expect(state).toMatchObject({ killed: true, reason: fields.reason, killed_by: "policy:critical_alert" });
  });
});

describe("the sync records what it finds in Redis, one agent at a time", () => {
  it("records a hand-made hash holding NUL, invalid UTF-8 and a huge value (made safe), with another agent's hand kill in the same pass, and revive works after", async () => {
    const hostile = await newAgent();
    const plain = await newAgent();
    await redis().hset(agentKey(hostile.agentId), {
      killed: "true",
      reason: Buffer.concat([Buffer.from("a\u0000b "), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(" ".padEnd(2_000_000, "z"))]),
      killed_by: Buffer.from([0x6f, 0x6e, 0x00, 0xed, 0xa0, 0x80]),
      killed_at: "1e300",
    });
    await redis().hset(agentKey(plain.agentId), { killed: "true", reason: "stopped from redis-cli", killed_by: "oncall" });
    const weird = ["agent:killswitch:has space", "agent:killswitch:nul\u0000id", `agent:killswitch:${"x".repeat(300)}`];
    for (const key of weird) await redis().hset(key, { killed: "true", reason: "not an agent's key" });

    const report = await reconcileKillSwitches(appDb(), redis());
    expect(report.failed).toEqual([]);
    expect(report.handKills).toEqual(expect.arrayContaining([hostile.agentId, plain.agentId]));
    expect(report.ignoredKeys).toEqual(expect.arrayContaining(["agent:killswitch:has space", "agent:killswitch:nul\uFFFDid"]));
    expect(report.ignoredKeys).toHaveLength(3);

    const hostileRecord = await recorded(hostile.agentId);
    expect(hostileRecord.state?.killed).toBe(true);
    expect(hostileRecord.state?.reason.startsWith("a\uFFFDb \uFFFD")).toBe(true);
    expect(hostileRecord.state?.reason.length).toBeLessThanOrEqual(500);
    expect(hostileRecord.state?.killed_by).not.toContain("\u0000");
    expect(hostileRecord.audit).toBe(1);
    expect((await recorded(plain.agentId)).state).toMatchObject({ killed: true, reason: "stopped from redis-cli", killed_by: "oncall" });

    await reviveAgent({ ctx: as("admin"), settings: { redis: redis() }, input: { agentId: hostile.agentId, reason: "reviewed, false alarm" } });
    expect(await redis().exists(agentKey(hostile.agentId))).toBe(0);
    expect((await reconcileKillSwitches(appDb(), redis())).handKills).not.toContain(hostile.agentId);
    for (const key of weird) await redis().del(key);
  });

  it("reports a change the record refuses and still records the others in the same pass, then records it once it can", async () => {
    const refused = await newAgent();
    const other = await newAgent();
    const db = appDb();
    // A real refusal by PostgreSQL for one agent's row, as a NUL once caused.
    // A trigger is DDL: the console's own role may not create one, the owner may.
    await withOwnerDb(async (owner) => {
      await owner.execute(
        sql.raw(`CREATE OR REPLACE FUNCTION test_refuse_kill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          IF NEW.agent_id = '${refused.agentId}' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`),
      );
      await owner.execute(sql`CREATE TRIGGER test_refuse_kill BEFORE INSERT OR UPDATE ON kill_switches FOR EACH ROW EXECUTE FUNCTION test_refuse_kill()`);
    });
    try {
      await redis().hset(agentKey(refused.agentId), { killed: "true", reason: "by hand" });
      await redis().hset(agentKey(other.agentId), { killed: "true", reason: "by hand too" });
      const report = await reconcileKillSwitches(db, redis());
      expect(report.failed).toEqual([{ target: refused.agentId, error: expect.stringContaining("PostgreSQL error [P0001]") }]);
      expect(report.handKills).toContain(other.agentId);
      expect((await recorded(other.agentId)).state?.killed).toBe(true);
      expect(await recorded(refused.agentId)).toEqual({ state: undefined, history: 0, audit: 0 });
    } finally {
      await withOwnerDb(async (owner) => {
        await owner.execute(sql`DROP TRIGGER test_refuse_kill ON kill_switches`);
        await owner.execute(sql`DROP FUNCTION test_refuse_kill()`);
      });
    }
    expect((await reconcileKillSwitches(db, redis())).handKills).toEqual([refused.agentId]);
    await reviveAgent({ ctx: as("admin"), settings: { redis: redis() }, input: { agentId: refused.agentId, reason: "reviewed" } });
  });

  it("does not stall on a global key or console key of the wrong type written by hand", async () => {
    const { agentId } = await newAgent();
    const killed = await newAgent();
    await killAgent({ ctx: as("responder"), settings: { redis: redis() }, input: { agentId: killed.agentId, reason: "recorded kill" } });
    await redis().hset(GLOBAL_KEY, { killed: "true" });
    await redis().del("agentsoc:killswitch:generation");
    await redis().hset("agentsoc:killswitch:generation", { nonsense: "1" });
    await redis().del("agentsoc:killswitch:installations");
    await redis().set("agentsoc:killswitch:installations", "not a hash");
    try {
      const behind = await reconcileKillSwitches(appDb(), redis());
      expect(behind.restored).toContain(killed.agentId);
      expect(await redis().type("agentsoc:killswitch:generation")).toBe("string");
      await redis().hset(agentKey(agentId), { killed: "true", reason: "by hand" });
      const report = await reconcileKillSwitches(appDb(), redis());
      expect(report.handKills).toEqual(expect.arrayContaining(["global", agentId]));
    } finally {
      await redis().del(GLOBAL_KEY);
      await reconcileKillSwitches(appDb(), redis());
    }
  });
});
