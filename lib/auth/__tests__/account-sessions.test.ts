import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/v1/auth/me/route";
import { DELETE as endOwn } from "@/app/api/v1/auth/sessions/[sessionId]/route";
import { GET as ownSessions } from "@/app/api/v1/auth/sessions/route";
import { POST as signInRoute } from "@/app/api/v1/auth/sign-in/route";
import { DELETE as endOneOfUser } from "@/app/api/v1/users/[userId]/sessions/[sessionId]/route";
import { DELETE as endAllOfUser, GET as userSessions } from "@/app/api/v1/users/[userId]/sessions/route";
import { GET as usersRoute } from "@/app/api/v1/users/route";
import { appDb } from "@/db/client";
import { authenticate, changeOwnPassword, createUser, stillAuthorized } from "@/lib/auth";
import { testCtx, tokenFor } from "@/scripts/testing/fixtures";

const ORIGIN = "http://soc.test";
const PASSWORD = "correct horse battery staple";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

type Role = "viewer" | "analyst" | "responder" | "admin";
type Session = { id: string; device: string; current: boolean; address: string | null; started_at: string; last_seen_at: string; expires_at: string };

async function newUser(role: Role = "viewer") {
  const email = `acct-${randomUUID().slice(0, 8)}@example.com`;
  const created = await createUser({ ctx: testCtx(), input: { email, role, password: PASSWORD } });
  return { email, id: created.user_id };
}

async function signIn(email: string, userAgent: string, password = PASSWORD): Promise<string> {
  const res = await signInRoute(
    new Request(`${ORIGIN}/api/v1/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": userAgent },
      body: JSON.stringify({ email, password }),
    }),
  );
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

/** Any of the routes here: each takes its own params (method syntax, so each handler's narrower params are accepted). */
type Handler = { call(req: Request, route?: { params: Promise<Record<string, string>> }): Promise<Response> }["call"];

const get = (handler: Handler, path: string, headers: Record<string, string>, params?: Record<string, string>) =>
  handler(new Request(`${ORIGIN}${path}`, { headers }), { params: Promise.resolve(params ?? {}) });

function del(handler: Handler, path: string, headers: Record<string, string>, params: Record<string, string>, body?: unknown) {
  return handler(
    new Request(`${ORIGIN}${path}`, {
      method: "DELETE",
      headers: { "content-type": "application/json", origin: ORIGIN, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { params: Promise.resolve(params) },
  );
}

async function sessionsOf(cookie: string): Promise<Session[]> {
  const res = await get(ownSessions, "/api/v1/auth/sessions", { cookie });
  expect(res.status).toBe(200);
  return ((await res.json()) as { sessions: Session[] }).sessions;
}

async function auditOf(email: string) {
  const rows = await appDb().execute<{ action: string; actor_id: string; reason: string | null; after: Record<string, unknown> }>(
    sql`SELECT action, actor_id, reason, after FROM audit_log WHERE target_id = ${email} AND action = 'session.end' ORDER BY id`,
  );
  return rows.rows;
}

const whoAmI = async (cookie: string) => (await me(new Request(`${ORIGIN}/api/v1/auth/me`, { headers: { cookie } }))).status;

describe("one's own sessions", () => {
  it("lists the live sessions with device, address and times, marking the one asking as current", async () => {
    const { email } = await newUser();
    const laptop = await signIn(email, FIREFOX);
    const phone = await signIn(email, IPHONE);
    const listed = await sessionsOf(laptop);
    expect(listed).toHaveLength(2);
    expect(listed.find((s) => s.current)?.device).toBe("Firefox on Linux");
    expect(listed.find((s) => !s.current)?.device).toBe("Safari on iPhone");
    for (const s of listed) {
      expect(Date.parse(s.started_at)).toBeLessThanOrEqual(Date.parse(s.expires_at));
      expect(Number.isNaN(Date.parse(s.last_seen_at))).toBe(false);
    }
    expect((await sessionsOf(phone)).find((s) => s.current)?.device).toBe("Safari on iPhone");
  });

  it("ends another session: its next request is refused at once, and the end is audited", async () => {
    const { email } = await newUser();
    const laptop = await signIn(email, FIREFOX);
    const phone = await signIn(email, IPHONE);
    const other = (await sessionsOf(laptop)).find((s) => !s.current);
    if (!other) throw new Error("no other session listed");
    const res = await del(endOwn, `/api/v1/auth/sessions/${other.id}`, { cookie: laptop }, { sessionId: other.id });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ended: [other.id], signed_out: false });
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await whoAmI(phone)).toBe(401);
    expect(await whoAmI(laptop)).toBe(200);
    expect((await sessionsOf(laptop)).map((s) => s.id)).not.toContain(other.id);
    expect(await auditOf(email)).toEqual([
      expect.objectContaining({ actor_id: `user:${email}`, after: expect.objectContaining({ session_ids: [other.id], ended_by: "self" }) }),
    ]);
    // Ended once: a second try finds no live session.
    expect((await del(endOwn, `/api/v1/auth/sessions/${other.id}`, { cookie: laptop }, { sessionId: other.id })).status).toBe(404);
  });

  it("ends the current session as a sign-out: the cookie is cleared and refused afterwards", async () => {
    const { email } = await newUser();
    const laptop = await signIn(email, FIREFOX);
    const current = (await sessionsOf(laptop)).find((s) => s.current);
    if (!current) throw new Error("no current session");
    const res = await del(endOwn, `/api/v1/auth/sessions/${current.id}`, { cookie: laptop }, { sessionId: current.id });
    expect(await res.json()).toEqual({ ended: [current.id], signed_out: true });
    expect(res.headers.get("set-cookie")).toContain("Max-Age=0");
    expect(await whoAmI(laptop)).toBe(401);
  });

  it("ends the console's kill-switch stream of an ended session at its next re-check", async () => {
    const { email } = await newUser();
    const laptop = await signIn(email, FIREFOX);
    const phone = await signIn(email, IPHONE);
    const opened = await authenticate(appDb(), { authorization: null, cookie: phone });
    if (!opened) throw new Error("the phone's session does not authenticate");
    expect(await stillAuthorized(appDb(), { authorization: null, cookie: phone }, opened.actor, "viewer")).toBe(true);
    const other = (await sessionsOf(laptop)).find((s) => !s.current);
    await del(endOwn, `/api/v1/auth/sessions/${other?.id}`, { cookie: laptop }, { sessionId: other?.id ?? "" });
    expect(await stillAuthorized(appDb(), { authorization: null, cookie: phone }, opened.actor, "viewer")).toBe(false);
  });

  it("cannot see or end someone else's session by its id, and names the field for an id that is not one", async () => {
    const mine = await newUser();
    const theirs = await newUser();
    const myCookie = await signIn(mine.email, FIREFOX);
    const theirCookie = await signIn(theirs.email, IPHONE);
    const their = (await sessionsOf(theirCookie))[0];
    if (!their) throw new Error("no session");
    expect((await sessionsOf(myCookie)).map((s) => s.id)).not.toContain(their.id);
    const res = await del(endOwn, `/api/v1/auth/sessions/${their.id}`, { cookie: myCookie }, { sessionId: their.id });
    expect(res.status).toBe(404);
    expect(await whoAmI(theirCookie)).toBe(200);
    for (const hostile of ["not-a-uuid", "\u0000", "\ud800", "%00", "<b>x</b>", "$(rm -rf /)"]) {
      const bad = await del(endOwn, `/api/v1/auth/sessions/x`, { cookie: myCookie }, { sessionId: hostile });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain("sessionId");
    }
  });

  it("is for browser sessions: an API token is refused with a reason, and a cross-site request is refused", async () => {
    const { token } = await tokenFor("admin");
    const listed = await get(ownSessions, "/api/v1/auth/sessions", { authorization: `Bearer ${token}` });
    expect(listed.status).toBe(400);
    expect((await listed.json()).error.message).toMatch(/API tokens have no browser sessions/);
    const ended = await del(endOwn, `/api/v1/auth/sessions/${randomUUID()}`, { authorization: `Bearer ${token}` }, { sessionId: randomUUID() });
    expect(ended.status).toBe(400);
    const { email } = await newUser();
    const cookie = await signIn(email, FIREFOX);
    const current = (await sessionsOf(cookie))[0];
    const forged = await del(endOwn, "/api/v1/auth/sessions/x", { cookie, origin: "https://evil.example" }, { sessionId: current?.id ?? "" });
    expect(forged.status).toBe(403);
    expect(await whoAmI(cookie)).toBe(200);
  });
});

describe("an admin and other people's sessions", () => {
  it("lists a person's sessions and ends one, then all, with a reason, each audited with who ended whose", async () => {
    const admin = await newUser("admin");
    const adminCookie = await signIn(admin.email, FIREFOX);
    const person = await newUser("analyst");
    const a = await signIn(person.email, FIREFOX);
    const b = await signIn(person.email, IPHONE);
    const c = await signIn(person.email, IPHONE);
    const path = `/api/v1/users/${person.id}/sessions`;
    const listRes = await get(userSessions, path, { cookie: adminCookie }, { userId: person.id });
    expect(listRes.status).toBe(200);
    const listed = ((await listRes.json()) as { sessions: Session[] }).sessions;
    expect(listed).toHaveLength(3);
    expect(listed.every((s) => !s.current)).toBe(true);

    const target = (await sessionsOf(a)).find((s) => s.current);
    if (!target) throw new Error("no current session");
    const noReason = await del(endOneOfUser, `${path}/${target.id}`, { cookie: adminCookie }, { userId: person.id, sessionId: target.id }, {});
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(await noReason.json())).toContain("reason");
    expect(await whoAmI(a)).toBe(200);

    const one = await del(
      endOneOfUser,
      `${path}/${target.id}`,
      { cookie: adminCookie },
      { userId: person.id, sessionId: target.id },
      { reason: "lost laptop" },
    );
    expect(await one.json()).toEqual({ ended: [target.id], signed_out: false });
    expect(await whoAmI(a)).toBe(401);
    expect(await whoAmI(b)).toBe(200);

    const all = await del(endAllOfUser, path, { cookie: adminCookie }, { userId: person.id }, { reason: "account under review" });
    expect(all.status).toBe(200);
    expect(((await all.json()) as { ended: string[] }).ended).toHaveLength(2);
    expect(await whoAmI(b)).toBe(401);
    expect(await whoAmI(c)).toBe(401);
    expect(await whoAmI(adminCookie)).toBe(200);

    expect(await auditOf(person.email)).toEqual([
      expect.objectContaining({ actor_id: `user:${admin.email}`, reason: "lost laptop", after: expect.objectContaining({ ended_by: "admin", scope: "one" }) }),
      expect.objectContaining({ actor_id: `user:${admin.email}`, reason: "account under review", after: expect.objectContaining({ scope: "all" }) }),
    ]);
  });

  it("refuses every role below admin, and answers 404 for a person or session that does not exist", async () => {
    const person = await newUser();
    const personCookie = await signIn(person.email, FIREFOX);
    const session = (await sessionsOf(personCookie))[0]?.id ?? "";
    for (const role of ["viewer", "analyst", "responder"] as const) {
      const { email } = await newUser(role);
      const cookie = await signIn(email, FIREFOX);
      expect((await get(userSessions, "/x", { cookie }, { userId: person.id })).status).toBe(403);
      expect((await del(endAllOfUser, "/x", { cookie }, { userId: person.id }, { reason: "no" })).status).toBe(403);
      expect((await del(endOneOfUser, "/x", { cookie }, { userId: person.id, sessionId: session }, { reason: "no" })).status).toBe(403);
      const { token } = await tokenFor(role);
      expect((await del(endAllOfUser, "/x", { authorization: `Bearer ${token}` }, { userId: person.id }, { reason: "no" })).status).toBe(403);
    }
    expect(await whoAmI(personCookie)).toBe(200);
    const { token } = await tokenFor("admin");
    const asAdmin = { authorization: `Bearer ${token}` };
    expect((await get(userSessions, "/x", asAdmin, { userId: randomUUID() })).status).toBe(404);
    expect((await del(endOneOfUser, "/x", asAdmin, { userId: person.id, sessionId: randomUUID() }, { reason: "gone" })).status).toBe(404);
    const other = await newUser();
    // A session id belongs to one person: naming it under someone else ends nothing.
    expect((await del(endOneOfUser, "/x", asAdmin, { userId: other.id, sessionId: session }, { reason: "wrong person" })).status).toBe(404);
    expect(await whoAmI(personCookie)).toBe(200);
    // An API token of an admin may end them (automation: a SIEM reacting to a stolen cookie).
    expect((await del(endOneOfUser, "/x", asAdmin, { userId: person.id, sessionId: session }, { reason: "siem" })).status).toBe(200);
    expect(await whoAmI(personCookie)).toBe(401);
  });
});

describe("last sign-in on the users list", () => {
  it("shows the sign-in of an admin who signed in with a one-time password, as the launcher's first admin does, and replaced it", async () => {
    const created = await createUser({ ctx: testCtx(), input: { email: `first-${randomUUID().slice(0, 8)}@example.com`, role: "admin" } });
    if (!created.one_time_password) throw new Error("no one-time password");
    const before = Date.now();
    const cookie = await signIn(created.email, FIREFOX, created.one_time_password);
    // A one-time password allows nothing but its change.
    expect((await get(ownSessions, "/api/v1/auth/sessions", { cookie })).status).toBe(403);
    const session = await authenticate(appDb(), { authorization: null, cookie });
    if (session?.actor.type !== "user") throw new Error("no session");
    await changeOwnPassword({
      ctx: { ...testCtx(), actor: session.actor },
      input: { current_password: created.one_time_password, new_password: "the admin's own password" },
    });
    const res = await usersRoute(new Request(`${ORIGIN}/api/v1/users`, { headers: { cookie } }));
    expect(res.status).toBe(200);
    const row = ((await res.json()) as { users: { email: string; last_sign_in_at: string | null }[] }).users.find((u) => u.email === created.email);
    expect(row?.last_sign_in_at).not.toBeNull();
    expect(Date.parse(row?.last_sign_in_at ?? "")).toBeGreaterThanOrEqual(before - 1000);
    expect((await sessionsOf(cookie)).find((s) => s.current)?.started_at).toBe(row?.last_sign_in_at);
  });
});
