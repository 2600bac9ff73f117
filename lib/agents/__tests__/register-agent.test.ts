import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { issueIngestKey, registerAgent } from "@/lib/agents";
import { AppError } from "@/lib/errors";
import { findAgentByIngestKey } from "@/lib/ingest";
import { testCtx } from "@/scripts/testing/fixtures";

describe("registerAgent", () => {
  it("stores only the key's hash, binds the key to the agent, and audits the change", async () => {
    const ctx = testCtx();
    const agentId = `reg-${randomUUID().slice(0, 8)}`;
    const { ingest_key } = await registerAgent({ ctx: ctx, input: { agentId, displayName: "Registration test" } });
    expect(ingest_key).toMatch(/^soc_ik_[A-Za-z0-9_-]{43}$/);

    const keys = await appDb().execute<{ key_hash: string; row: string }>(sql`SELECT key_hash, k::text AS row FROM ingest_keys k WHERE agent_id = ${agentId}`);
    expect(keys.rows).toHaveLength(1);
    expect(keys.rows[0]?.row).not.toContain(ingest_key);
    expect(keys.rows[0]?.row).not.toContain(ingest_key.slice(10));
    expect((await findAgentByIngestKey(appDb(), ingest_key))?.agentId).toBe(agentId);

    const audit = await appDb().execute<{ actor_type: string; action: string; request_id: string; after: string }>(
      sql`SELECT actor_type, action, request_id, after::text AS after FROM audit_log WHERE target_id = ${agentId}`,
    );
    expect(audit.rows).toEqual([expect.objectContaining({ actor_type: "cli", action: "agent.register", request_id: ctx.requestId })]);
    expect(audit.rows[0]?.after).not.toContain(ingest_key);
  });

  it("refuses a second registration of the same id and bad ids, writing nothing", async () => {
    const agentId = `reg-${randomUUID().slice(0, 8)}`;
    await registerAgent({ ctx: testCtx(), input: { agentId } });
    await expect(registerAgent({ ctx: testCtx(), input: { agentId } })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(registerAgent({ ctx: testCtx(), input: { agentId: "has spaces" } })).rejects.toBeInstanceOf(AppError);
    const rows = await appDb().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ingest_keys WHERE agent_id = ${agentId}`);
    expect(rows.rows[0]?.n).toBe(1);
  });

  it("refuses agents registering agents", async () => {
    const ctx = { ...testCtx(), actor: { type: "agent" as const, agentId: "x", keyId: "k" } };
    await expect(registerAgent({ ctx, input: { agentId: `reg-${randomUUID().slice(0, 8)}` } })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(issueIngestKey({ ctx, input: { agentId: "x" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("issues further keys to an existing agent, each working on its own, and audits the issue", async () => {
    const agentId = `reg-${randomUUID().slice(0, 8)}`;
    const first = await registerAgent({ ctx: testCtx(), input: { agentId } });
    const ctx = testCtx();
    const second = await issueIngestKey({ ctx, input: { agentId, reason: "second service" } });
    expect(second.ingest_key).not.toBe(first.ingest_key);
    expect((await findAgentByIngestKey(appDb(), second.ingest_key))?.agentId).toBe(agentId);
    expect((await findAgentByIngestKey(appDb(), first.ingest_key))?.agentId).toBe(agentId);
    const audit = await appDb().execute<{ action: string; reason: string }>(sql`SELECT action, reason FROM audit_log WHERE request_id = ${ctx.requestId}`);
    expect(audit.rows).toEqual([{ action: "ingest_key.issue", reason: "second service" }]);
    await expect(issueIngestKey({ ctx: testCtx(), input: { agentId: "no-such-agent" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("rotates: the new key works and every earlier key stops in the same change", async () => {
    const agentId = `reg-${randomUUID().slice(0, 8)}`;
    const first = await registerAgent({ ctx: testCtx(), input: { agentId } });
    const ctx = testCtx();
    const rotated = await issueIngestKey({ ctx, input: { agentId, reason: "suspected leak", revokeExisting: true } });
    expect(await findAgentByIngestKey(appDb(), first.ingest_key)).toBeNull();
    expect((await findAgentByIngestKey(appDb(), rotated.ingest_key))?.agentId).toBe(agentId);
    const audit = await appDb().execute<{ action: string; before: { revoked_keys: unknown[] } }>(
      sql`SELECT action, before FROM audit_log WHERE request_id = ${ctx.requestId}`,
    );
    expect(audit.rows[0]?.action).toBe("ingest_key.rotate");
    expect(audit.rows[0]?.before.revoked_keys).toHaveLength(1);
  });
});
