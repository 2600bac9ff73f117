import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { appDb, createDb, type Db } from "@/db/client";
import { registerAgent } from "@/lib/agents";
import { createApiToken } from "@/lib/auth";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import type { AgentEvent } from "@/lib/ingest";

export function testCtx(): Ctx {
  return { db: appDb(), actor: { type: "cli", id: "test" }, requestId: `test-${randomUUID()}`, sourceIp: null };
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
