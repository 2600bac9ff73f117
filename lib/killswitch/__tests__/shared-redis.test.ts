import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET as getKillSwitches } from "@/app/api/v1/killswitch/route";
import { appDb, createDb, type Db, type DbHandle } from "@/db/client";
import { readInstallationId } from "@/db/queries/installation";
import { registerAgent } from "@/lib/agents";
import type { Ctx } from "@/lib/context";
import { agentKey, INSTALLATIONS_KEY, killAgent, MARKER_KEY, type RedisSharingView, reconcileKillSwitches } from "@/lib/killswitch";
import { createRedis } from "@/lib/redis";
import { bearer, readyAppRedis } from "@/scripts/testing/fixtures";
import { createExtraDatabase, startRedisServer } from "@/scripts/testing/infra";

/** Two installations (two databases) whose consoles are pointed at one Redis of the test's own. */
let redisServer: { url: string; stop: () => Promise<void> };
let redis: Redis;
let other: { url: string; drop: () => Promise<void> };
let otherHandle: DbHandle;
let sameDatabaseAgain: DbHandle;

const ctxOn = (db: Db): Ctx => ({
  db,
  actor: { type: "user", userId: randomUUID(), email: "oncall@example.com", role: "admin", sessionId: randomUUID() },
  requestId: randomUUID(),
  sourceIp: null,
});

async function agentIn(db: Db): Promise<string> {
  const agentId = `shared-${randomUUID().slice(0, 8)}`;
  await registerAgent({ ctx: ctxOn(db), input: { agentId } });
  return agentId;
}

const recordedKill = async (db: Db, agentId: string) =>
  (await db.execute<{ killed: boolean }>(sql`SELECT killed FROM kill_switches WHERE scope = 'agent' AND agent_id = ${agentId}`)).rows[0]?.killed ?? null;

beforeAll(async () => {
  redisServer = await startRedisServer();
  redis = createRedis(redisServer.url);
  other = await createExtraDatabase(inject("ownerDatabaseUrl"), "installation_b");
  otherHandle = createDb(other.url, 2);
  sameDatabaseAgain = createDb(inject("databaseUrl"), 2);
});

afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
  await otherHandle.close();
  await sameDatabaseAgain.close();
  await other.drop();
});

describe("two installations pointed at one Redis", () => {
  it("each database is its own installation; instances of one console share their database's", async () => {
    const a = await readInstallationId(appDb());
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readInstallationId(otherHandle.db)).not.toBe(a);
    expect(await readInstallationId(sameDatabaseAgain.db)).toBe(a);
  });

  it("notice each other, say so, and never adopt each other's kills", async () => {
    const a = appDb();
    const b = otherHandle.db;
    expect((await reconcileKillSwitches(a, redis)).sharing).toBeNull();
    expect(JSON.parse((await redis.get(MARKER_KEY)) ?? "{}")).toMatchObject({ installation_id: await readInstallationId(a) });
    // A second instance of the same console is not another installation.
    expect((await reconcileKillSwitches(sameDatabaseAgain.db, redis)).sharing).toBeNull();

    const agentOfA = await agentIn(a);
    const agentOfB = await agentIn(b);
    await killAgent({ ctx: ctxOn(a), settings: { redis }, input: { agentId: agentOfA, reason: "killed by console A" } });

    const seenByB = await reconcileKillSwitches(b, redis);
    expect(seenByB.sharing?.marker).toEqual({ kind: "foreign", installationId: await readInstallationId(a), setAt: expect.any(String) });
    expect(seenByB.handKills).toEqual([]);
    expect(await recordedKill(b, agentOfA)).toBeNull();

    await killAgent({ ctx: ctxOn(b), settings: { redis }, input: { agentId: agentOfB, reason: "killed by console B" } });
    const seenByA = await reconcileKillSwitches(a, redis);
    expect(seenByA.sharing?.others.map((o) => o.installationId)).toEqual([await readInstallationId(b)]);
    expect(seenByA.handKills).toEqual([]);
    expect(await recordedKill(a, agentOfB)).toBeNull();
    // The marker stays A's: B never takes it over or rewinds the generation count.
    expect(JSON.parse((await redis.get(MARKER_KEY)) ?? "{}")).toMatchObject({ installation_id: await readInstallationId(a) });

    // Emptied while shared: each puts back its own kills, and records nothing of the other's.
    await redis.flushdb();
    await reconcileKillSwitches(a, redis);
    const afterFlushB = await reconcileKillSwitches(b, redis);
    expect(afterFlushB.sharing).not.toBeNull();
    expect(afterFlushB.restored).toEqual([agentOfB]);
    expect(await redis.hget(agentKey(agentOfA), "killed")).toBe("true");
    expect(await redis.hget(agentKey(agentOfB), "killed")).toBe("true");
    expect((await reconcileKillSwitches(a, redis)).handKills).toEqual([]);
    expect(await recordedKill(a, agentOfB)).toBeNull();
    expect(await recordedKill(b, agentOfA)).toBeNull();

    // B is gone for good (its sign-in ages out); the operator removes the marker if it was B's, and A takes Redis over.
    await redis.hdel(INSTALLATIONS_KEY, await readInstallationId(b));
    await redis.del(MARKER_KEY);
    const takeover = await reconcileKillSwitches(a, redis);
    expect(takeover.sharing).toBeNull();
    expect((await reconcileKillSwitches(a, redis)).handKills).toEqual([agentOfB]);
  });

  it("takes over a marker written before markers named their installation", async () => {
    await redis.set(MARKER_KEY, JSON.stringify({ set_at: "2026-01-01T00:00:00.000Z" }));
    expect((await reconcileKillSwitches(appDb(), redis)).sharing).toBeNull();
    expect(JSON.parse((await redis.get(MARKER_KEY)) ?? "{}")).toMatchObject({ installation_id: await readInstallationId(appDb()) });
  });
});

describe("GET /api/v1/killswitch", () => {
  it("says when the console's Redis carries another installation's marker, and stops saying it once that is resolved", async () => {
    const runRedis = await readyAppRedis();
    await reconcileKillSwitches(appDb(), runRedis);
    const read = async () =>
      (
        (await (await getKillSwitches(new Request("http://soc.test/api/v1/killswitch", { headers: await bearer("viewer") }))).json()) as {
          redis_sharing: RedisSharingView;
        }
      ).redis_sharing;
    expect(await read()).toMatchObject({ shared: false, marker: "ours", problem: null });
    const ours = await runRedis.get(MARKER_KEY);
    await runRedis.set(MARKER_KEY, JSON.stringify({ installation_id: "0000-other-console", set_at: "2026-01-01T00:00:00.000Z" }));
    try {
      const shared = await read();
      expect(shared).toMatchObject({ shared: true, marker: "foreign", marker_installation_id: "0000-other-console" });
      expect(shared.problem).toContain("Redis is shared with another console");
      expect(shared.problem).toContain(`redis-cli DEL ${MARKER_KEY}`);
    } finally {
      if (ours) await runRedis.set(MARKER_KEY, ours);
    }
    expect((await read()).shared).toBe(false);
  });
});
