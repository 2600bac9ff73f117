import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { issueIngestKey, registerAgent, revokeIngestKey } from "@/lib/agents";
import { authenticate, createApiToken, createUser, resetPassword, revokeApiToken, updateUser } from "@/lib/auth";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { findAgentByIngestKey } from "@/lib/ingest";
import { newAgent, testCtx, tokenFor } from "@/scripts/testing/fixtures";

function as(role: Role): Ctx {
  return { ...testCtx(), actor: { type: "api_token", tokenId: randomUUID(), name: `as-${role}`, role } };
}

async function auditFor(ctx: Ctx) {
  const rows = await appDb().execute<{ action: string; actor_id: string; before: unknown; after: unknown; reason: string | null }>(
    sql`SELECT action, actor_id, before, after, reason FROM audit_log WHERE request_id = ${ctx.requestId} ORDER BY id`,
  );
  return rows.rows;
}

const email = () => `u-${randomUUID().slice(0, 8)}@example.com`;

describe("admin verbs: refused below admin, audited in the same transaction when done", () => {
  it("createUser", async () => {
    await expect(createUser({ ctx: as("responder"), input: { email: email(), role: "viewer" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const ctx = as("admin");
    const created = await createUser({ ctx, input: { email: email(), role: "analyst" } });
    expect(created.one_time_password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
    const audit = await auditFor(ctx);
    expect(audit).toEqual([expect.objectContaining({ action: "user.create", actor_id: expect.stringMatching(/^token:as-admin:/) })]);
    expect(JSON.stringify(audit)).not.toContain(created.one_time_password);
    const stored = await appDb().execute<{ password_hash: string }>(sql`SELECT password_hash FROM users WHERE id = ${created.user_id}`);
    expect(stored.rows[0]?.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    await expect(createUser({ ctx: as("admin"), input: { email: created.email, role: "viewer" } })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(createUser({ ctx: as("admin"), input: { email: "not-an-email", role: "viewer" } })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(createUser({ ctx: as("admin"), input: { email: email(), role: "superuser" } })).rejects.toMatchObject({ code: "VALIDATION" });
  });

  it("updateUser records before and after, and keeps at least one enabled admin", async () => {
    const user = await createUser({ ctx: testCtx(), input: { email: email(), role: "viewer" } });
    await expect(updateUser({ ctx: as("analyst"), input: { userId: user.user_id, role: "admin" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const ctx = as("admin");
    await updateUser({ ctx, input: { userId: user.user_id, role: "responder", reason: "on-call rota" } });
    expect(await auditFor(ctx)).toEqual([
      expect.objectContaining({
        action: "user.update",
        reason: "on-call rota",
        before: { role: "viewer", disabled: false },
        after: { role: "responder", disabled: false },
      }),
    ]);

    const admins = await appDb().execute<{ id: string }>(sql`SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL`);
    // Leave exactly one enabled admin, then try to remove it.
    const [keep, ...others] =
      admins.rows.length > 0 ? admins.rows : [{ id: (await createUser({ ctx: testCtx(), input: { email: email(), role: "admin" } })).user_id }];
    for (const other of others) await updateUser({ ctx: testCtx(), input: { userId: other.id, role: "viewer" } });
    if (!keep) throw new Error("no admin");
    await expect(updateUser({ ctx: as("admin"), input: { userId: keep.id, disabled: true } })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(updateUser({ ctx: as("admin"), input: { userId: keep.id, role: "viewer" } })).rejects.toMatchObject({ code: "CONFLICT" });
    for (const other of others) await updateUser({ ctx: testCtx(), input: { userId: other.id, role: "admin" } });
  });

  it("disabling a user revokes the API tokens they created", async () => {
    const admin = await createUser({ ctx: testCtx(), input: { email: email(), role: "admin" } });
    const asThatAdmin: Ctx = { ...testCtx(), actor: { type: "user", userId: admin.user_id, email: admin.email, role: "admin", sessionId: randomUUID() } };
    const token = await createApiToken({ ctx: asThatAdmin, input: { name: "leaving-admin-token", role: "admin" } });
    await updateUser({ ctx: as("admin"), input: { userId: admin.user_id, disabled: true, reason: "left the company" } });
    expect(await authenticate(appDb(), { authorization: `Bearer ${token.token}`, cookie: null })).toBeNull();
  });

  it("resetPassword issues a one-time password and is audited without it", async () => {
    const user = await createUser({ ctx: testCtx(), input: { email: email(), role: "viewer" } });
    await expect(resetPassword({ ctx: as("responder"), input: { userId: user.user_id } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const ctx = as("admin");
    const reset = await resetPassword({ ctx, input: { userId: user.user_id, reason: "forgotten" } });
    const audit = await auditFor(ctx);
    expect(audit).toEqual([expect.objectContaining({ action: "user.reset_password", reason: "forgotten" })]);
    expect(JSON.stringify(audit)).not.toContain(reset.one_time_password);
    await expect(resetPassword({ ctx: as("admin"), input: { userId: "nope" } })).rejects.toMatchObject({ code: "VALIDATION" });
  });

  it("createApiToken and revokeApiToken", async () => {
    await expect(createApiToken({ ctx: as("responder"), input: { name: "x", role: "viewer" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A token mints under its own chain, so the maker must be a token that exists.
    const maker = await tokenFor("admin");
    const ctx: Ctx = { ...testCtx(), actor: { type: "api_token", tokenId: maker.id, name: "maker", role: "admin" } };
    const token = await createApiToken({ ctx, input: { name: "siem", role: "analyst", expiresInDays: 30 } });
    expect(token.token).toMatch(/^soc_at_/);
    const audit = await auditFor(ctx);
    expect(audit).toEqual([expect.objectContaining({ action: "api_token.create" })]);
    expect(JSON.stringify(audit)).not.toContain(token.token);
    const stored = await appDb().execute<{ row: string }>(sql`SELECT t::text AS row FROM api_tokens t WHERE id = ${token.id}`);
    expect(stored.rows[0]?.row).not.toContain(token.token.slice(12));

    await expect(revokeApiToken({ ctx: as("analyst"), input: { tokenId: token.id } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const revokeCtx = as("admin");
    await revokeApiToken({ ctx: revokeCtx, input: { tokenId: token.id, reason: "rotated" } });
    expect(await auditFor(revokeCtx)).toEqual([expect.objectContaining({ action: "api_token.revoke", reason: "rotated" })]);
    await expect(revokeApiToken({ ctx: as("admin"), input: { tokenId: token.id } })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("registerAgent, issueIngestKey and revokeIngestKey", async () => {
    const agentId = `adm-${randomUUID().slice(0, 8)}`;
    await expect(registerAgent({ ctx: as("responder"), input: { agentId } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { key } = await newAgent();
    const agent = await newAgent();
    await expect(issueIngestKey({ ctx: as("analyst"), input: { agentId: agent.agentId } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const keyRow = await appDb().execute<{ id: string }>(sql`SELECT id FROM ingest_keys WHERE agent_id = ${agent.agentId}`);
    const keyId = keyRow.rows[0]?.id ?? "";
    await expect(revokeIngestKey({ ctx: as("responder"), input: { agentId: agent.agentId, keyId } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const ctx = as("admin");
    await revokeIngestKey({ ctx, input: { agentId: agent.agentId, keyId, reason: "leaked in a ticket" } });
    expect(await findAgentByIngestKey(appDb(), agent.key)).toBeNull();
    expect(await findAgentByIngestKey(appDb(), key)).not.toBeNull();
    expect(await auditFor(ctx)).toEqual([expect.objectContaining({ action: "ingest_key.revoke", reason: "leaked in a ticket" })]);
  });
});
