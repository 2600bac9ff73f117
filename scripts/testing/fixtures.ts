import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import { inject } from "vitest";
import { appDb, createDb, type Db, type DbHandle } from "@/db/client";
import { registerAgent } from "@/lib/agents";
import { createApiToken } from "@/lib/auth";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import type { AgentEvent } from "@/lib/ingest";
import { appRedis } from "@/lib/redis";

export function testCtx(): Ctx {
  return { db: appDb(), actor: { type: "cli", id: "test" }, requestId: `test-${randomUUID()}`, sourceIp: null };
}

/** A signed-in person of `role` with a fresh identity, as a browser session acts. */
export function userCtx(role: Role): Ctx {
  return {
    ...testCtx(),
    actor: { type: "user", userId: randomUUID(), email: `${role}-${randomUUID().slice(0, 6)}@example.com`, role, sessionId: randomUUID() },
  };
}

/** The owner's rights, for a test that plays an attacker holding them or needs DDL; closed after `use`. */
export async function withOwnerDb<T>(use: (db: Db) => Promise<T>): Promise<T> {
  const handle = createDb(inject("ownerDatabaseUrl"), 1);
  try {
    return await use(handle.db);
  } finally {
    await handle.close();
  }
}

/**
 * The app's own Redis client once it is connected: it queues no commands while connecting
 * (enableOfflineQueue is off, so a kill fails fast instead), so a test must wait before using it.
 */
export async function readyAppRedis(): Promise<Redis> {
  const redis = appRedis();
  if (!redis) throw new Error("the tests need Redis (REDIS_URL)");
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
  return redis;
}

/** A freshly registered agent with a unique id, so each test owns its data. */
export async function newAgent(opts: { prefix?: string; rateLimitPerMin?: number } = {}): Promise<{ agentId: string; key: string }> {
  const agentId = `${opts.prefix ?? "test-agent"}-${randomUUID().slice(0, 8)}`;
  const registered = await registerAgent({ ctx: testCtx(), input: { agentId, ingestRateLimitPerMin: opts.rateLimitPerMin } });
  return { agentId, key: registered.ingest_key };
}

/** An API token of the given role, as automation would hold it. */
export async function tokenFor(role: Role, opts: { expiresInDays?: number } = {}): Promise<{ id: string; token: string }> {
  const created = await createApiToken({ ctx: testCtx(), input: { name: `test-${role}-${randomUUID().slice(0, 6)}`, role, ...opts } });
  return { id: created.id, token: created.token };
}

export async function bearer(role: Role): Promise<Record<string, string>> {
  return { authorization: `Bearer ${(await tokenFor(role)).token}` };
}

export function makeEvent(agentId: string, overrides: Partial<AgentEvent> & Record<string, unknown> = {}): AgentEvent {
  return {
    timestamp: Date.now() / 1000,
    agent_id: agentId,
    session_id: "sess_default",
    action_type: "tool_call",
    action_name: "customer_lookup",
    input_summary: "customer_id=cust_789",
    output_summary: "plan=pro",
    duration_ms: 12.5,
    tool_name: "customer_lookup",
    event_id: randomUUID(),
    ...overrides,
  };
}

/**
 * Runs `fn` while the app's process-wide pool or Redis client (what every route uses) is another
 * real one, such as a pool on a port where nothing listens or a client of a Redis the test stopped,
 * then puts the app's own back. Fails loudly if the swap did not take, so a test cannot pass unswapped.
 */
export async function withAppConnections<T>(replacement: { db?: DbHandle; redis?: Redis }, fn: () => Promise<T>): Promise<T> {
  appDb();
  appRedis();
  // The names db/client.ts and lib/redis.ts keep their clients under.
  const app = globalThis as unknown as { agentsocDb?: DbHandle; agentsocRedis?: Redis };
  const saved = { db: app.agentsocDb, redis: app.agentsocRedis };
  if (replacement.db) app.agentsocDb = replacement.db;
  if (replacement.redis) app.agentsocRedis = replacement.redis;
  try {
    if ((replacement.db && appDb() !== replacement.db.db) || (replacement.redis && appRedis() !== replacement.redis)) {
      throw new Error("withAppConnections: the app's clients are no longer kept where this fixture expects");
    }
    return await fn();
  } finally {
    app.agentsocDb = saved.db;
    app.agentsocRedis = saved.redis;
  }
}
