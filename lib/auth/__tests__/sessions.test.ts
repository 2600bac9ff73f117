import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/v1/auth/me/route";
import { POST as passwordRoute } from "@/app/api/v1/auth/password/route";
import { POST as signInRoute } from "@/app/api/v1/auth/sign-in/route";
import { POST as signOutRoute } from "@/app/api/v1/auth/sign-out/route";
import { GET as eventsRoute } from "@/app/api/v1/events/route";
import { POST as createTokenRoute } from "@/app/api/v1/tokens/route";
import { appDb } from "@/db/client";
import { createUser, updateUser } from "@/lib/auth";
import { takeQuota } from "@/lib/ingest/rate-limit";
import { readyAppRedis, testCtx } from "@/scripts/testing/fixtures";
import { requestOverTcp, serveOverTcp } from "@/scripts/testing/over-tcp";

/** A loopback address of its own (any of 127.0.0.0/8 reaches the test server), so no other test shares its rate window. */
const loopback = () => `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

const ORIGIN = "http://soc.test";
const PASSWORD = "correct horse battery staple";

async function newUser(role: "viewer" | "admin" = "viewer") {
  const email = `user-${randomUUID().slice(0, 8)}@example.com`;
  const created = await createUser({ ctx: testCtx(), input: { email, role, password: PASSWORD } });
  return { email, id: created.user_id };
}

function signIn(email: string, password: string, headers: Record<string, string> = {}) {
  return signInRoute(
    new Request(`${ORIGIN}/api/v1/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ email, password }),
    }),
  );
}

function cookieOf(res: Response): string {
  const setCookie = res.headers.get("set-cookie") ?? "";
  return setCookie.split(";")[0] ?? "";
}

async function auditRows(targetId: string) {
  const rows = await appDb().execute<{ action: string; reason: string | null; actor_id: string; source_ip: string | null }>(
    sql`SELECT action, reason, actor_id, source_ip FROM audit_log WHERE target_id = ${targetId} ORDER BY id`,
  );
  return rows.rows;
}

describe("browser sessions", () => {
  it("sets an httpOnly, SameSite=Lax session cookie that identifies the user, and audits the sign-in", async () => {
    const { email } = await newUser();
    const res = await signIn(email.toUpperCase(), PASSWORD);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^soc_session=soc_s_[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).not.toContain("Secure");
    const whoami = await me(new Request(`${ORIGIN}/api/v1/auth/me`, { headers: { cookie: cookieOf(res) } }));
    expect(await whoami.json()).toMatchObject({ kind: "user", email, role: "viewer" });
    expect((await auditRows(email)).map((r) => r.action)).toEqual(["user.create", "auth.sign_in"]);
  });

  it("over HTTPS, sets a Secure __Host- cookie and accepts no other", async () => {
    const { email } = await newUser();
    const res = await signIn(email, PASSWORD, { "x-forwarded-proto": "https" });
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^__Host-soc_session=soc_s_/);
    expect(setCookie).toContain("Secure");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Domain");
    const token = cookieOf(res).split("=")[1] ?? "";
    const ask = (cookie: string) => me(new Request(`${ORIGIN}/api/v1/auth/me`, { headers: { cookie, "x-forwarded-proto": "https" } }));
    expect((await ask(`__Host-soc_session=${token}`)).status).toBe(200);
    expect((await ask(`soc_session=${token}`)).status).toBe(401);
  });

  it("ends the session on the server at sign-out: the same cookie is refused afterwards", async () => {
    const { email } = await newUser();
    const cookie = cookieOf(await signIn(email, PASSWORD));
    const out = await signOutRoute(new Request(`${ORIGIN}/api/v1/auth/sign-out`, { method: "POST", headers: { cookie, origin: ORIGIN } }));
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    const after = await me(new Request(`${ORIGIN}/api/v1/auth/me`, { headers: { cookie } }));
    expect(after.status).toBe(401);
    expect((await auditRows(email)).at(-1)?.action).toBe("auth.sign_out");
  });

  it("answers a wrong password and an unknown account alike, and audits both", async () => {
    const { email } = await newUser();
    const wrong = await signIn(email, "not the password at all");
    const unknown = await signIn(`nobody-${randomUUID()}@example.com`, PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await wrong.json()).error.message).toBe((await unknown.json()).error.message);
    expect(await auditRows(email)).toContainEqual(expect.objectContaining({ action: "auth.sign_in_failed", reason: "wrong password" }));
  });

  it("locks the account after five wrong passwords, even against the right one, and says when to retry", async () => {
    const { email } = await newUser();
    for (let i = 0; i < 5; i++) expect((await signIn(email, `wrong-${i}-password`)).status).toBe(401);
    const locked = await signIn(email, PASSWORD);
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await auditRows(email)).at(-1)).toMatchObject({ action: "auth.sign_in_failed", reason: "account locked after repeated failures" });
  });

  it("lets no more than five guesses through, even when they arrive all at once, at a real account or at none", async () => {
    const { email } = await newUser();
    for (const target of [email, `nobody-${randomUUID().slice(0, 8)}@example.com`]) {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn(target, `parallel-wrong-${i}`)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length, target).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 429).length, target).toBeGreaterThanOrEqual(7);
      expect((await signIn(target, PASSWORD)).status, target).toBe(429);
    }
  });

  it("locks an e-mail address with no account exactly as it locks a real one, so the answers cannot tell them apart", async () => {
    const { email } = await newUser();
    const nobody = `nobody-${randomUUID().slice(0, 8)}@example.com`;
    const answer = async (res: Response) => {
      const body = (await res.json()) as { error: Record<string, unknown> & { message: string } };
      return {
        status: res.status,
        fields: Object.keys(body.error).sort(),
        code: body.error.code,
        message: body.error.message.replace(/\d+ s$/, "N s"),
        retryAfter: res.headers.get("retry-after") === null ? null : "set",
        headers: [...res.headers.keys()].filter((h) => h !== "x-request-id").sort(),
      };
    };
    for (let i = 0; i < 6; i++) {
      const real = await signIn(email, `wrong-${i}-password`);
      const none = await signIn(i % 2 ? nobody.toUpperCase() : nobody, `wrong-${i}-password`);
      const [a, b] = [await answer(real), await answer(none)];
      expect(b, `attempt ${i + 1}`).toEqual(a);
      expect(a.status).toBe(i < 5 ? 401 : 429);
    }
    const locked = await signIn(nobody, PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(Number(locked.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect((await auditRows(nobody)).at(-1)).toMatchObject({ action: "auth.sign_in_failed", reason: "unknown account, locked after repeated failures" });
  });

  it("keeps a password typed into the e-mail field out of the audit log", async () => {
    const secret = `hunter-${randomUUID()}`;
    expect((await signIn(secret, PASSWORD)).status).toBe(401);
    const rows = await appDb().execute(sql`SELECT 1 FROM audit_log WHERE target_id = ${secret} OR reason LIKE ${`%${secret}%`}`);
    expect(rows.rows).toHaveLength(0);
  });

  it("stores an audit row for text PostgreSQL rewrites (a lone surrogate) without breaking the chain", async () => {
    const { id } = await newUser();
    await updateUser({ ctx: testCtx(), input: { userId: id, role: "analyst", reason: "promoted \ud800 today" } });
    const { verifyAuditChain } = await import("@/lib/audit");
    expect((await verifyAuditChain(appDb())).problem).toBeNull();
  });

  it("a one-time password opens only the password change, which then ends the user's other sessions", async () => {
    const created = await createUser({ ctx: testCtx(), input: { email: `otp-${randomUUID().slice(0, 8)}@example.com`, role: "analyst" } });
    const otp = created.one_time_password ?? "";
    const first = await signIn(created.email, otp);
    expect(((await first.json()) as { user: { must_change_password: boolean } }).user.must_change_password).toBe(true);
    const cookie = cookieOf(first);
    const other = cookieOf(await signIn(created.email, otp));
    const events = () => eventsRoute(new Request(`${ORIGIN}/api/v1/events`, { headers: { cookie } }));
    const refused = await events();
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toContain("Change your one-time password first");
    const change = (body: unknown) =>
      passwordRoute(
        new Request(`${ORIGIN}/api/v1/auth/password`, {
          method: "POST",
          headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      );
    expect((await change({ current_password: "wrong guess here", new_password: "my own long password" })).status).toBe(400);
    expect((await change({ current_password: otp, new_password: "short" })).status).toBe(400);
    expect((await change({ current_password: otp, new_password: "my own long password" })).status).toBe(200);
    expect((await events()).status).toBe(200);
    expect((await me(new Request(`${ORIGIN}/api/v1/auth/me`, { headers: { cookie: other } }))).status).toBe(401);
    expect((await auditRows(created.email)).at(-1)?.action).toBe("user.change_password");
  });

  it("counts wrong current passwords into the sign-in lock-out, audits each, and ends the session that locks the account", async () => {
    const { email } = await newUser();
    const cookie = cookieOf(await signIn(email, PASSWORD));
    const change = (current: string) =>
      passwordRoute(
        new Request(`${ORIGIN}/api/v1/auth/password`, {
          method: "POST",
          headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
          body: JSON.stringify({ current_password: current, new_password: "a brand new password" }),
        }),
      );
    for (let i = 0; i < 4; i++) expect((await change(`guess-${i}-password`)).status).toBe(400);
    const fifth = await change("guess-4-password");
    expect(fifth.status).toBe(400);
    expect((await fifth.json()).error.message).toContain("locked");
    expect((await change(PASSWORD)).status).toBe(401);
    expect((await me(new Request(`${ORIGIN}/api/v1/auth/me`, { headers: { cookie } }))).status).toBe(401);
    const locked = await signIn(email, PASSWORD);
    expect(locked.status).toBe(429);
    const failures = (await auditRows(email)).filter((r) => r.action === "user.change_password_failed");
    expect(failures.map((r) => r.reason)).toEqual([
      "wrong current password",
      "wrong current password",
      "wrong current password",
      "wrong current password",
      expect.stringMatching(/^wrong current password; account locked for \d+ s$/),
    ]);
  });

  it("refuses a password change while the account is locked, and a right one clears the count", async () => {
    const { email } = await newUser();
    const cookie = cookieOf(await signIn(email, PASSWORD));
    const change = (current: string, next = "a brand new password") =>
      passwordRoute(
        new Request(`${ORIGIN}/api/v1/auth/password`, {
          method: "POST",
          headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
          body: JSON.stringify({ current_password: current, new_password: next }),
        }),
      );
    for (let i = 0; i < 4; i++) expect((await change(`guess-${i}-password`)).status).toBe(400);
    expect((await change(PASSWORD)).status).toBe(200);
    // The count started again from nothing: four more wrong sign-ins do not lock the account.
    for (let i = 0; i < 4; i++) expect((await signIn(email, `wrong-${i}-password`)).status).toBe(401);
    expect((await signIn(email, "a brand new password")).status).toBe(200);

    for (let i = 0; i < 5; i++) await signIn(email, `wrong-again-${i}`);
    const refused = await change("a brand new password", "another new password");
    expect(refused.status).toBe(429);
    expect((await auditRows(email)).at(-1)).toMatchObject({ action: "user.change_password_failed", reason: "account locked after repeated failures" });
  });

  it("refuses a one-time password left unused for more than a week", async () => {
    const created = await createUser({ ctx: testCtx(), input: { email: `stale-${randomUUID().slice(0, 8)}@example.com`, role: "viewer" } });
    await appDb().execute(sql`UPDATE users SET password_changed_at = now() - interval '8 days' WHERE id = ${created.user_id}`);
    const res = await signIn(created.email, created.one_time_password ?? "");
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain("one-time password has expired");
  });

  it("limits sign-in attempts per source address, across accounts, and a client cannot escape it with its own X-Forwarded-For", async () => {
    // The limit fails open while Redis cannot be asked; a client still connecting counts as that.
    const redis = await readyAppRedis();
    // The limit is a fixed one-minute window: the attempts below must all land in one.
    const msToNextMinute = 60_000 - (Date.now() % 60_000);
    if (msToNextMinute < 10_000) await new Promise((r) => setTimeout(r, msToNextMinute + 50));
    const from = loopback();
    // 28 of the documented 30 attempts a minute are used up as the route counts them (each real
    // attempt costs a password hash, and 31 of them could straddle a minute on a busy machine).
    expect((await takeQuota(redis, `sign-in:${from}`, 28, 30, Date.now())).allowed).toBe(true);
    const server = await serveOverTcp(signInRoute);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await requestOverTcp(server.port, {
          method: "POST",
          path: "/api/v1/auth/sign-in",
          headers: { "content-type": "application/json", "x-forwarded-for": `198.51.100.${i + 1}` },
          body: JSON.stringify({ email: `nobody-${i}-${randomUUID()}@example.com`, password: "x" }),
          from,
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await server.close();
    }
  }, 30_000);

  it("with no trusted proxy, records the TCP peer as the source address, never the X-Forwarded-For the client wrote", async () => {
    const { email } = await newUser();
    const from = loopback();
    const server = await serveOverTcp(signInRoute);
    try {
      const res = await requestOverTcp(server.port, {
        method: "POST",
        path: "/api/v1/auth/sign-in",
        headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.66", "x-agentsoc-peer": "guess 203.0.113.67" },
        body: JSON.stringify({ email, password: PASSWORD }),
        from,
      });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
    expect((await auditRows(email)).at(-1)).toMatchObject({ action: "auth.sign_in", source_ip: from });
    const sessions = await appDb().execute<{ source_ip: string | null }>(
      sql`SELECT s.source_ip FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ${email}`,
    );
    expect(sessions.rows).toEqual([{ source_ip: from }]);
    // Straight to the handler, with no server to stamp the peer, the client's header is still not an address.
    expect((await signIn(email, "wrong password here", { "x-forwarded-for": "203.0.113.68" })).status).toBe(401);
    expect((await auditRows(email)).at(-1)).toMatchObject({ action: "auth.sign_in_failed", source_ip: null });
  });

  it("refuses disabled accounts and ends their open sessions", async () => {
    const { email, id } = await newUser();
    const cookie = cookieOf(await signIn(email, PASSWORD));
    await updateUser({ ctx: testCtx(), input: { userId: id, disabled: true, reason: "left the team" } });
    expect((await me(new Request(`${ORIGIN}/api/v1/auth/me`, { headers: { cookie } }))).status).toBe(401);
    expect((await signIn(email, PASSWORD)).status).toBe(401);
  });

  it("refuses changes from a cookie session that come from another site (CSRF), and accepts our own pages", async () => {
    const { email } = await newUser("admin");
    const cookie = cookieOf(await signIn(email, PASSWORD));
    const create = (headers: Record<string, string>) =>
      createTokenRoute(
        new Request(`${ORIGIN}/api/v1/tokens`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json", ...headers },
          body: JSON.stringify({ name: "csrf-check", role: "viewer" }),
        }),
      );
    expect((await create({ origin: "https://evil.example" })).status).toBe(403);
    expect((await create({})).status).toBe(403);
    expect((await create({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await create({ origin: ORIGIN })).status).toBe(201);
  });
});
