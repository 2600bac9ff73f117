import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { PUT as putKey } from "@/app/api/v1/agents/[agentId]/keys/[keyId]/route";
import { GET as status } from "@/app/api/v1/agents/[agentId]/status/route";
import { POST as ingest } from "@/app/api/v1/ingest/route";
import { appDb } from "@/db/client";
import { listIngestKeys } from "@/db/queries/ingest-keys";
import { registerAgent, revokeIngestKey, setKeyAgents } from "@/lib/agents";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { bearer, makeEvent, newAgent, testCtx } from "@/scripts/testing/fixtures";

function as(role: Role): Ctx {
  return { ...testCtx(), actor: { type: "api_token", tokenId: randomUUID(), name: `as-${role}`, role } };
}

async function keyIdOf(agentId: string): Promise<string> {
  const [key] = await listIngestKeys(appDb(), agentId);
  if (!key) throw new Error(`agent ${agentId} has no key`);
  return key.id;
}

async function postEvents(key: string, events: unknown[]) {
  const res = await ingest(
    new Request("http://soc.test/api/v1/ingest", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(events),
    }),
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function storedAgents(sessionId: string): Promise<string[]> {
  const rows = await appDb().execute<{ agent_id: string }>(sql`SELECT agent_id FROM events WHERE session_id = ${sessionId} ORDER BY agent_id`);
  return rows.rows.map((r) => r.agent_id);
}

describe("an ingest key that speaks for a set of agents", () => {
  it("is set by an admin only, audited, for registered agents and live keys", async () => {
    const orchestrator = await newAgent({ prefix: "orch" });
    const worker = await newAgent({ prefix: "worker" });
    const keyId = await keyIdOf(orchestrator.agentId);
    const input = { agentId: orchestrator.agentId, keyId, speaksFor: [worker.agentId], reason: "one exporter for the crew" };

    await expect(setKeyAgents({ ctx: as("responder"), input })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(setKeyAgents({ ctx: as("admin"), input: { ...input, speaksFor: ["never-registered-agent"] } })).rejects.toMatchObject({
      code: "VALIDATION",
      message: "speaks_for: not registered agents: never-registered-agent",
    });
    await expect(setKeyAgents({ ctx: as("admin"), input: { ...input, speaksFor: ["bad id!"] } })).rejects.toMatchObject({ code: "VALIDATION" });

    const ctx = as("admin");
    // The key's own agent is implied, so naming it changes nothing.
    expect(await setKeyAgents({ ctx, input: { ...input, speaksFor: [worker.agentId, orchestrator.agentId, worker.agentId] } })).toEqual({
      agent_id: orchestrator.agentId,
      key_id: keyId,
      speaks_for: [worker.agentId],
    });
    const audit = await appDb().execute<{ action: string; target_id: string; before: unknown; after: unknown; reason: string }>(
      sql`SELECT action, target_id, before, after, reason FROM audit_log WHERE request_id = ${ctx.requestId}`,
    );
    expect(audit.rows).toEqual([
      {
        action: "ingest_key.speaks_for",
        target_id: orchestrator.agentId,
        before: expect.objectContaining({ ingest_key_id: keyId, speaks_for: [] }),
        after: { speaks_for: [worker.agentId] },
        reason: "one exporter for the crew",
      },
    ]);
    expect((await listIngestKeys(appDb(), orchestrator.agentId))[0]?.speaks_for).toEqual([worker.agentId]);

    await revokeIngestKey({ ctx: as("admin"), input: { agentId: orchestrator.agentId, keyId } });
    await expect(setKeyAgents({ ctx: as("admin"), input })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("is set through PUT /api/v1/agents/{agentId}/keys/{keyId}", async () => {
    const orchestrator = await newAgent({ prefix: "orch" });
    const worker = await newAgent({ prefix: "worker" });
    const keyId = await keyIdOf(orchestrator.agentId);
    const call = async (role: Role) =>
      putKey(
        new Request(`http://soc.test/api/v1/agents/${orchestrator.agentId}/keys/${keyId}`, {
          method: "PUT",
          headers: { "content-type": "application/json", ...(await bearer(role)) },
          body: JSON.stringify({ speaks_for: [worker.agentId], reason: "crew" }),
        }),
        { params: Promise.resolve({ agentId: orchestrator.agentId, keyId }) },
      );
    expect((await call("responder")).status).toBe(403);
    const res = await call("admin");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ agent_id: orchestrator.agentId, key_id: keyId, speaks_for: [worker.agentId] });
  });

  it("lets the native door store records for each agent of the set, and refuses any other agent as impersonation", async () => {
    const orchestrator = await newAgent({ prefix: "orch" });
    const worker = await newAgent({ prefix: "worker" });
    const outsider = await newAgent({ prefix: "outsider" });
    const keyId = await keyIdOf(orchestrator.agentId);
    const session = `sess_${randomUUID().slice(0, 12)}`;
    const batch = [makeEvent(orchestrator.agentId, { session_id: session }), makeEvent(worker.agentId, { session_id: session })];

    const before = await postEvents(orchestrator.key, batch);
    expect(before.status).toBe(403);
    expect(await storedAgents(session)).toEqual([]);

    await setKeyAgents({ ctx: as("admin"), input: { agentId: orchestrator.agentId, keyId, speaksFor: [worker.agentId] } });
    const accepted = await postEvents(orchestrator.key, batch);
    expect(accepted).toEqual({ status: 200, body: { accepted: 2, duplicates: 0, rejected: [] } });
    expect(await storedAgents(session)).toEqual([orchestrator.agentId, worker.agentId].sort());
    const rollups = await appDb().execute<{ agent_id: string; event_count: number }>(
      sql`SELECT agent_id, event_count FROM sessions WHERE session_id = ${session} ORDER BY agent_id`,
    );
    expect(rollups.rows).toEqual([orchestrator.agentId, worker.agentId].sort().map((agent_id) => ({ agent_id, event_count: 1 })));

    const otherSession = `sess_${randomUUID().slice(0, 12)}`;
    const refused = await postEvents(orchestrator.key, [
      makeEvent(worker.agentId, { session_id: otherSession }),
      makeEvent(outsider.agentId, { session_id: otherSession }),
    ]);
    expect(refused.status).toBe(403);
    expect(await storedAgents(otherSession)).toEqual([]);
    const evidence = await appDb().execute<{ metadata: { claimed_agent_ids: string[] } }>(
      sql`SELECT metadata FROM events WHERE agent_id = ${orchestrator.agentId} AND action_name = 'impersonation_attempt' ORDER BY ts`,
    );
    // The first refusal, before the worker joined the set, is evidence too.
    expect(evidence.rows.map((r) => r.metadata.claimed_agent_ids)).toEqual([[worker.agentId], [outsider.agentId]]);
  });

  it("lets the key read the status of the agents it speaks for, and no other", async () => {
    const orchestrator = await newAgent({ prefix: "orch" });
    const worker = await newAgent({ prefix: "worker" });
    const keyId = await keyIdOf(orchestrator.agentId);
    const read = async (agentId: string) =>
      (
        await status(new Request(`http://soc.test/api/v1/agents/${agentId}/status`, { headers: { authorization: `Bearer ${orchestrator.key}` } }), {
          params: Promise.resolve({ agentId }),
        })
      ).status;
    expect(await read(worker.agentId)).toBe(403);
    await setKeyAgents({ ctx: as("admin"), input: { agentId: orchestrator.agentId, keyId, speaksFor: [worker.agentId] } });
    expect(await read(worker.agentId)).toBe(200);
    await setKeyAgents({ ctx: as("admin"), input: { agentId: orchestrator.agentId, keyId, speaksFor: [] } });
    expect(await read(worker.agentId)).toBe(403);
  });

  it("leaves every agent's own rate limit in force", async () => {
    const orchestrator = await newAgent({ prefix: "orch" });
    const worker = await registerAgent({ ctx: testCtx(), input: { agentId: `worker-${randomUUID().slice(0, 8)}`, ingestRateLimitPerMin: 2 } });
    const keyId = await keyIdOf(orchestrator.agentId);
    await setKeyAgents({ ctx: as("admin"), input: { agentId: orchestrator.agentId, keyId, speaksFor: [worker.agent_id] } });
    const session = `sess_${randomUUID().slice(0, 12)}`;
    const tooMany = await postEvents(
      orchestrator.key,
      [1, 2, 3].map(() => makeEvent(worker.agent_id, { session_id: session })),
    );
    expect(tooMany.status).toBe(413);
    expect(String((tooMany.body.error as { message: string }).message)).toContain(`agent ${worker.agent_id}'s limit of 2 events per minute`);
  });
});
