import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as auditRoute } from "@/app/api/v1/audit/route";
import { GET as me } from "@/app/api/v1/auth/me/route";
import { DELETE as revokeRoute } from "@/app/api/v1/tokens/[tokenId]/route";
import { POST as createTokenRoute, GET as listTokensRoute } from "@/app/api/v1/tokens/route";
import { GET as usersRoute } from "@/app/api/v1/users/route";
import { appDb } from "@/db/client";
import { createApiToken, createUser, updateUser } from "@/lib/auth";
import type { Role } from "@/lib/auth/roles";
import type { ApiTokenView } from "@/lib/auth/views";
import type { Ctx } from "@/lib/context";
import { testCtx } from "@/scripts/testing/fixtures";

const ORIGIN = "http://soc.test";

async function person(role: Role) {
  const created = await createUser({ ctx: testCtx(), input: { email: `chain-${randomUUID().slice(0, 8)}@example.com`, role } });
  const ctx: Ctx = { ...testCtx(), actor: { type: "user", userId: created.user_id, email: created.email, role, sessionId: randomUUID() } };
  return { id: created.user_id, email: created.email, ctx };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Mints a token through the API with another token, as automation would. */
async function mintWith(token: string, body: { name?: string; role: Role; expires_in_days?: number }) {
  const res = await createTokenRoute(
    new Request(`${ORIGIN}/api/v1/tokens`, {
      method: "POST",
      headers: { ...bearer(token), "content-type": "application/json" },
      body: JSON.stringify({ name: `minted-${randomUUID().slice(0, 6)}`, ...body }),
    }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; token: string; expires_at: string | null };
}

const whoAmI = (token: string) => me(new Request(`${ORIGIN}/api/v1/auth/me`, { headers: bearer(token) }));
const adminRoute = (token: string) => usersRoute(new Request(`${ORIGIN}/api/v1/users`, { headers: bearer(token) }));
const analystRoute = (token: string) => auditRoute(new Request(`${ORIGIN}/api/v1/audit?limit=1`, { headers: bearer(token) }));

async function tokenRows(ids: string[]) {
  const rows = await appDb().execute<{ id: string; revoked: boolean }>(
    sql`SELECT id, revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE id = ANY(${sql.param(ids)}::uuid[])`,
  );
  return Object.fromEntries(rows.rows.map((r) => [r.id, r.revoked]));
}

async function lastAudit(action: string, targetId: string) {
  const rows = await appDb().execute<{ after: Record<string, unknown> }>(
    sql`SELECT after FROM audit_log WHERE action = ${action} AND target_id = ${targetId} ORDER BY id DESC LIMIT 1`,
  );
  return rows.rows[0]?.after ?? null;
}

describe("API token chains", () => {
  // Demoting or disabling the admins below needs another enabled admin to remain.
  beforeAll(() => person("admin"));

  it("a token minted by a token dies with its root: disabling the owner revokes the whole chain, and it stays refused", async () => {
    const alice = await person("admin");
    const root = await createApiToken({ ctx: alice.ctx, input: { name: "alice-root", role: "admin" } });
    const child = await mintWith(root.token, { role: "admin" });
    const grandchild = await mintWith(child.token, { role: "viewer" });
    for (const t of [root, child, grandchild]) expect((await whoAmI(t.token)).status).toBe(200);

    await updateUser({ ctx: testCtx(), input: { userId: alice.id, disabled: true, reason: "left the company" } });
    for (const t of [root, child, grandchild]) expect((await whoAmI(t.token)).status).toBe(401);
    expect(await tokenRows([root.id, child.id, grandchild.id])).toEqual({ [root.id]: true, [child.id]: true, [grandchild.id]: true });
    expect((await lastAudit("user.update", alice.email))?.api_tokens_revoked).toEqual(expect.arrayContaining([root.id, child.id, grandchild.id]));

    // A token that escaped the revocation (minted in a race with the disable) is still refused: its owner is disabled.
    await appDb().execute(sql`UPDATE api_tokens SET revoked_at = NULL WHERE id = ${grandchild.id}`);
    expect((await whoAmI(grandchild.token)).status).toBe(401);
  });

  it("a demoted admin's tokens, and the tokens minted from them, act with the owner's new role; re-promotion restores it", async () => {
    const bob = await person("admin");
    const root = await createApiToken({ ctx: bob.ctx, input: { name: "bob-root", role: "admin" } });
    const child = await mintWith(root.token, { role: "admin" });
    for (const t of [root, child]) expect((await adminRoute(t.token)).status).toBe(200);

    await updateUser({ ctx: testCtx(), input: { userId: bob.id, role: "analyst", reason: "moved teams" } });
    for (const t of [root, child]) {
      expect((await adminRoute(t.token)).status).toBe(403);
      expect((await analystRoute(t.token)).status).toBe(200);
      expect(await (await whoAmI(t.token)).json()).toMatchObject({ kind: "api_token", role: "analyst" });
    }
    const refused = await createTokenRoute(
      new Request(`${ORIGIN}/api/v1/tokens`, {
        method: "POST",
        headers: { ...bearer(child.token), "content-type": "application/json" },
        body: JSON.stringify({ name: "escalate", role: "admin" }),
      }),
    );
    expect(refused.status).toBe(403);

    await updateUser({ ctx: testCtx(), input: { userId: bob.id, role: "admin", reason: "back" } });
    for (const t of [root, child]) expect((await adminRoute(t.token)).status).toBe(200);
  });

  it("a token made with a lower role than its parent never acts above it, and a parent's lower role bounds its children", async () => {
    const carol = await person("admin");
    const responder = await createApiToken({ ctx: carol.ctx, input: { name: "carol-responder", role: "responder" } });
    const admin = await createApiToken({ ctx: carol.ctx, input: { name: "carol-admin", role: "admin" } });
    const viewer = await mintWith(admin.token, { role: "viewer" });
    expect(await (await whoAmI(viewer.token)).json()).toMatchObject({ role: "viewer" });
    // A responder token cannot mint at all: minting needs admin along the whole chain.
    const res = await createTokenRoute(
      new Request(`${ORIGIN}/api/v1/tokens`, {
        method: "POST",
        headers: { ...bearer(responder.token), "content-type": "application/json" },
        body: JSON.stringify({ name: "up", role: "admin" }),
      }),
    );
    expect(res.status).toBe(403);
    await appDb().execute(sql`UPDATE api_tokens SET role = 'analyst' WHERE id = ${admin.id}`);
    expect(await (await whoAmI(viewer.token)).json()).toMatchObject({ role: "viewer" });
    const sibling = await createApiToken({ ctx: carol.ctx, input: { name: "carol-admin-2", role: "admin" } });
    const minted = await mintWith(sibling.token, { role: "admin" });
    await appDb().execute(sql`UPDATE api_tokens SET role = 'analyst' WHERE id = ${sibling.id}`);
    expect(await (await whoAmI(minted.token)).json()).toMatchObject({ role: "analyst" });
  });

  it("revoking a token revokes every token minted from it, and audits which; its own parent lives on", async () => {
    const dave = await person("admin");
    const root = await createApiToken({ ctx: dave.ctx, input: { name: "dave-root", role: "admin" } });
    const child = await mintWith(root.token, { role: "admin" });
    const grandchild = await mintWith(child.token, { role: "admin" });
    const great = await mintWith(grandchild.token, { role: "analyst" });

    const res = await revokeRoute(
      new Request(`${ORIGIN}/api/v1/tokens/${child.id}`, {
        method: "DELETE",
        headers: { ...bearer(root.token), "content-type": "application/json" },
        body: JSON.stringify({ reason: "leaked" }),
      }),
      { params: Promise.resolve({ tokenId: child.id }) },
    );
    expect(res.status).toBe(200);
    for (const t of [child, grandchild, great]) expect((await whoAmI(t.token)).status).toBe(401);
    expect((await whoAmI(root.token)).status).toBe(200);
    expect(await tokenRows([child.id, grandchild.id, great.id])).toEqual({ [child.id]: true, [grandchild.id]: true, [great.id]: true });
    expect((await lastAudit("api_token.revoke", child.id))?.descendants_revoked).toEqual(expect.arrayContaining([grandchild.id, great.id]));
  });

  it("a token minted from an expiring token expires with it, and dies if its ancestor expires", async () => {
    const erin = await person("admin");
    const root = await createApiToken({ ctx: erin.ctx, input: { name: "erin-root", role: "admin", expiresInDays: 2 } });
    const child = await mintWith(root.token, { role: "admin" });
    expect(child.expires_at).toBe(root.expires_at);
    const longer = await mintWith(root.token, { role: "admin", expires_in_days: 30 });
    expect(longer.expires_at).toBe(root.expires_at);
    await appDb().execute(sql`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = ${root.id}`);
    await appDb().execute(sql`UPDATE api_tokens SET expires_at = NULL WHERE id = ${child.id}`);
    expect((await whoAmI(child.token)).status).toBe(401);
  });

  it("refuses to mint for a maker whose rights fell since the request was authenticated", async () => {
    const frank = await person("admin");
    await updateUser({ ctx: testCtx(), input: { userId: frank.id, role: "analyst" } });
    // frank.ctx still says admin, as a request authenticated just before the demotion would.
    await expect(createApiToken({ ctx: frank.ctx, input: { name: "stale", role: "admin" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const gina = await person("admin");
    await updateUser({ ctx: testCtx(), input: { userId: gina.id, disabled: true } });
    await expect(createApiToken({ ctx: gina.ctx, input: { name: "stale", role: "viewer" } })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("lists each token with the role it acts with, its owner, its parent and why it cannot act", async () => {
    const hank = await person("admin");
    const root = await createApiToken({ ctx: hank.ctx, input: { name: "hank-root", role: "admin" } });
    const child = await mintWith(root.token, { role: "responder" });
    const viewer = await mintWith(root.token, { role: "viewer" });
    await updateUser({ ctx: testCtx(), input: { userId: hank.id, role: "analyst" } });
    const admin = await createApiToken({ ctx: testCtx(), input: { name: `lister-${randomUUID().slice(0, 6)}`, role: "admin" } });
    const listed = (await (await listTokensRoute(new Request(`${ORIGIN}/api/v1/tokens`, { headers: bearer(admin.token) }))).json()) as {
      tokens: ApiTokenView[];
    };
    const byId = new Map(listed.tokens.map((t) => [t.id, t]));
    expect(byId.get(root.id)).toMatchObject({ role: "admin", effective_role: "analyst", owner_email: hank.email, parent: null, dead_because: null });
    expect(byId.get(child.id)).toMatchObject({
      role: "responder",
      effective_role: "analyst",
      owner_email: hank.email,
      parent: { id: root.id, name: "hank-root" },
    });
    expect(byId.get(viewer.id)).toMatchObject({ effective_role: "viewer" });
    expect(byId.get(admin.id)).toMatchObject({ effective_role: "admin", owner_email: null });
    await updateUser({ ctx: testCtx(), input: { userId: hank.id, disabled: true } });
    await appDb().execute(sql`UPDATE api_tokens SET revoked_at = NULL WHERE id = ${root.id}`);
    const after = (await (await listTokensRoute(new Request(`${ORIGIN}/api/v1/tokens`, { headers: bearer(admin.token) }))).json()) as {
      tokens: ApiTokenView[];
    };
    const afterById = new Map(after.tokens.map((t) => [t.id, t]));
    expect(afterById.get(root.id)).toMatchObject({ effective_role: null, dead_because: `its owner ${hank.email} is disabled`, revoked_at: null });
    expect(afterById.get(child.id)).toMatchObject({ effective_role: null, dead_because: "it was revoked" });
  });
});

describe("the migration that introduced token chains", () => {
  /** The statements of the token-chains migration that place the tokens made before it into chains. */
  function backfill(): string[] {
    const dir = path.join(process.cwd(), "drizzle");
    const file = readdirSync(dir).find((f) => f.endsWith("_token_chains_and_unknown_account_lockout.sql"));
    if (!file) throw new Error("the token-chains migration is missing");
    const text = readFileSync(path.join(dir, file), "utf8");
    const from = text.indexOf("-- Existing tokens:");
    if (from < 0) throw new Error("the token-chains migration has no backfill section");
    return text
      .slice(from)
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter(Boolean);
  }

  it("reads the chains back from created_by, gives each chain its root's owner, and revokes tokens whose maker it cannot identify", async () => {
    const ivy = await person("admin");
    const db = appDb();
    const insert = async (name: string, createdBy: string) => {
      const id = randomUUID();
      await db.execute(sql`INSERT INTO api_tokens (id, name, role, token_hash, token_prefix, created_by)
        VALUES (${id}, ${name}, 'admin', ${`legacy-${randomUUID()}`}, 'soc_at_x', ${createdBy})`);
      return id;
    };
    const byIvy = await insert("legacy-root", `user:${ivy.email}`);
    const minted = await insert("legacy-child", `token:legacy-root:${byIvy.slice(0, 8)}`);
    const mintedAgain = await insert("legacy-grandchild", `token:legacy-child:${minted.slice(0, 8)}`);
    const fromShell = await insert("legacy-cli", "cli:ops");
    const orphan = await insert("legacy-orphan", `token:gone:${randomUUID().slice(0, 8)}`);
    const strangers = await insert("legacy-stranger", `user:nobody-${randomUUID()}@example.com`);

    for (const statement of backfill()) await db.execute(sql.raw(statement));

    const rows = await db.execute<{ id: string; owner_user_id: string | null; parent_token_id: string | null; revoked: boolean }>(
      sql`SELECT id, owner_user_id, parent_token_id, revoked_at IS NOT NULL AS revoked FROM api_tokens
          WHERE id = ANY(${sql.param([byIvy, minted, mintedAgain, fromShell, orphan, strangers])}::uuid[])`,
    );
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    expect(byId.get(byIvy)).toMatchObject({ owner_user_id: ivy.id, parent_token_id: null, revoked: false });
    expect(byId.get(minted)).toMatchObject({ owner_user_id: ivy.id, parent_token_id: byIvy, revoked: false });
    expect(byId.get(mintedAgain)).toMatchObject({ owner_user_id: ivy.id, parent_token_id: minted, revoked: false });
    expect(byId.get(fromShell)).toMatchObject({ owner_user_id: null, parent_token_id: null, revoked: false });
    expect(byId.get(orphan)).toMatchObject({ revoked: true });
    expect(byId.get(strangers)).toMatchObject({ revoked: true });
  });
});
