import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/v1/auth/sign-in/route";
import { appDb } from "@/db/client";
import { auditLog, userRecoveryCodes, userSessions, users, userTotp } from "@/db/schema";
import { confirmTotp, createUser, removeOwnTotp, resetUserTotp, secondFactorStatus, signIn, startTotpEnrolment } from "@/lib/auth";
import { hashSecret } from "@/lib/auth/secrets";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { testCtx } from "@/scripts/testing/fixtures";

const PASSWORD = "correct horse battery staple";
const now = () => Math.floor(Date.now() / 1000);
const codeAt = (secret: string, aheadS = 0) => generate({ secret, epoch: now() + aheadS });

async function person(role: "viewer" | "admin" = "viewer") {
  const email = `totp-${randomUUID().slice(0, 8)}@example.com`;
  const created = await createUser({ ctx: testCtx(), input: { email, role, password: PASSWORD } });
  const ctx: Ctx = { ...testCtx(), actor: { type: "user", userId: created.user_id, email, role, sessionId: randomUUID() } };
  return { email, id: created.user_id, ctx };
}

/** A person with a confirmed authenticator: its secret, and the recovery codes shown once. */
async function enrolled() {
  const p = await person();
  const { secret, otpauth_url } = await startTotpEnrolment({ ctx: p.ctx, input: { password: PASSWORD } });
  const { recovery_codes } = await confirmTotp({ ctx: p.ctx, input: { code: await codeAt(secret) } });
  return { ...p, secret, otpauth_url, recoveryCodes: recovery_codes };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (err: unknown) => {
      if (!(err instanceof AppError)) throw err;
      return { code: err.code, message: err.message };
    },
  );

const signInWith = (email: string, extra: Record<string, string> = {}) =>
  signIn({ ctx: testCtx(), input: { email, password: PASSWORD, ...extra }, userAgent: null });

async function auditActions(email: string): Promise<string[]> {
  const rows = await appDb().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.targetId, email)).orderBy(auditLog.id);
  return rows.map((r) => r.action);
}

describe("a second factor (TOTP)", () => {
  it("enrols with the password, then sign-in asks for a code and accepts the current one", async () => {
    const p = await enrolled();
    expect(p.otpauth_url).toMatch(new RegExp(`^otpauth://totp/AgentSOC:${encodeURIComponent(p.email).replace(/\./g, "\\.")}\\?`));
    expect(p.otpauth_url).toContain(`secret=${p.secret}`);
    expect(await secondFactorStatus({ ctx: p.ctx })).toMatchObject({ totp: "enabled", recovery_codes_left: 10 });

    const asked = await refusal(signInWith(p.email));
    expect(asked.code).toBe("MFA_REQUIRED");
    const res = await signInRoute(
      new Request("http://soc.test/api/v1/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: p.email, password: PASSWORD }),
      }),
    );
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("MFA_REQUIRED");

    // The step after the one confirm used: a code is accepted once.
    const next = await codeAt(p.secret, 30);
    const signedIn = await signInWith(p.email, { totp: next });
    expect(signedIn.user.email).toBe(p.email);
    expect((await refusal(signInWith(p.email, { totp: next }))).code).toBe("UNAUTHENTICATED");
    expect(await auditActions(p.email)).toEqual(
      expect.arrayContaining(["auth.totp_enrol_started", "auth.totp_enabled", "auth.sign_in_second_factor_asked", "auth.sign_in", "auth.sign_in_failed"]),
    );
  });

  it("signs out the person's other sessions when it is turned on", async () => {
    const p = await person();
    const elsewhere = await signInWith(p.email);
    const { secret } = await startTotpEnrolment({ ctx: p.ctx, input: { password: PASSWORD } });
    await confirmTotp({ ctx: p.ctx, input: { code: await codeAt(secret) } });
    const [row] = await appDb()
      .select({ revokedAt: userSessions.revokedAt })
      .from(userSessions)
      .where(eq(userSessions.tokenHash, hashSecret(elsewhere.sessionToken)));
    expect(row?.revokedAt).not.toBeNull();
  });

  it("keeps the secret sealed, and never in the audit log", async () => {
    const p = await enrolled();
    const [row] = await appDb().select().from(userTotp).where(eq(userTotp.userId, p.id));
    expect(row?.secretSealed).toMatch(/^v1\./);
    expect(row?.secretSealed).not.toContain(p.secret);
    const audit = await appDb().select().from(auditLog).where(eq(auditLog.targetId, p.email));
    expect(JSON.stringify(audit)).not.toContain(p.secret);
    for (const code of p.recoveryCodes) expect(JSON.stringify(audit)).not.toContain(code);
  });

  it("counts wrong codes into the account's lock-out, and a wrong password is refused before any code is looked at", async () => {
    const p = await enrolled();
    expect((await refusal(signIn({ ctx: testCtx(), input: { email: p.email, password: "wrong password!", totp: "123456" }, userAgent: null }))).code).toBe(
      "UNAUTHENTICATED",
    );
    let last = { code: "", message: "" };
    for (let i = 0; i < 6; i++) last = await refusal(signInWith(p.email, { totp: "000000" }));
    expect(last.code).toBe("RATE_LIMITED");
    const [locked] = await appDb().select({ lockedUntil: users.lockedUntil }).from(users).where(eq(users.id, p.id));
    expect(locked?.lockedUntil?.getTime()).toBeGreaterThan(Date.now());
    // Locked: even the right code is not looked at.
    expect((await refusal(signInWith(p.email, { totp: await codeAt(p.secret, 30) }))).code).toBe("RATE_LIMITED");
  });

  it("signs in once with each recovery code, whatever its case and dashes", async () => {
    const p = await enrolled();
    const [first, second] = p.recoveryCodes;
    if (!first || !second) throw new Error("no recovery codes");
    expect(first).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(new Set(p.recoveryCodes).size).toBe(10);
    await signInWith(p.email, { recovery_code: ` ${first.toUpperCase().replace("-", "")} ` });
    expect((await refusal(signInWith(p.email, { recovery_code: first }))).code).toBe("UNAUTHENTICATED");
    await signInWith(p.email, { recovery_code: second });
    expect(await secondFactorStatus({ ctx: p.ctx })).toMatchObject({ recovery_codes_left: 8 });
    const stored = await appDb().select().from(userRecoveryCodes).where(eq(userRecoveryCodes.userId, p.id));
    expect(stored.map((r) => r.codeHash)).not.toContain(first);
  });

  it("asks the password again to enrol (a wrong one is counted), and refuses a second authenticator while one is in use", async () => {
    const p = await person();
    const wrong = await refusal(startTotpEnrolment({ ctx: p.ctx, input: { password: "not my password" } }));
    expect(wrong).toMatchObject({ code: "VALIDATION" });
    expect(wrong.message).toMatch(/^password: /);
    const [row] = await appDb().select({ failed: users.failedSignIns }).from(users).where(eq(users.id, p.id));
    expect(row?.failed).toBe(1);

    // Until confirmed, sign-in still takes the password alone, and a new enrolment replaces the pending one.
    const first = await startTotpEnrolment({ ctx: p.ctx, input: { password: PASSWORD } });
    expect((await signInWith(p.email)).user.email).toBe(p.email);
    const second = await startTotpEnrolment({ ctx: p.ctx, input: { password: PASSWORD } });
    expect(second.secret).not.toBe(first.secret);
    expect((await refusal(confirmTotp({ ctx: p.ctx, input: { code: await codeAt(first.secret) } }))).code).toBe("VALIDATION");
    await confirmTotp({ ctx: p.ctx, input: { code: await codeAt(second.secret) } });
    expect((await refusal(startTotpEnrolment({ ctx: p.ctx, input: { password: PASSWORD } }))).code).toBe("CONFLICT");
  });

  it("is removed by its owner with the password and a current code, or by another admin with a reason, both audited", async () => {
    const p = await enrolled();
    expect((await refusal(removeOwnTotp({ ctx: p.ctx, input: { password: PASSWORD, code: "000000" } }))).code).toBe("VALIDATION");
    // A stolen session holding a code is not enough, and its guesses are counted.
    expect((await refusal(removeOwnTotp({ ctx: p.ctx, input: { password: "not the password", code: await codeAt(p.secret, 30) } }))).code).toBe("VALIDATION");
    const [counted] = await appDb().select({ failed: users.failedSignIns }).from(users).where(eq(users.id, p.id));
    expect(counted?.failed).toBe(2);
    await removeOwnTotp({ ctx: p.ctx, input: { password: PASSWORD, code: await codeAt(p.secret, 30) } });
    expect(await secondFactorStatus({ ctx: p.ctx })).toEqual({ totp: "none", confirmed_at: null, recovery_codes_left: 0 });
    expect((await signInWith(p.email)).user.email).toBe(p.email);

    const q = await enrolled();
    const admin = await person("admin");
    expect((await refusal(resetUserTotp({ ctx: q.ctx, input: { userId: q.id, reason: "lost phone" } }))).code).toBe("FORBIDDEN");
    expect((await refusal(resetUserTotp({ ctx: admin.ctx, input: { userId: admin.id, reason: "my own" } }))).message).toContain("Your own second factor");
    const before = await signInWith(q.email, { totp: await codeAt(q.secret, 30) });
    expect((await refusal(resetUserTotp({ ctx: admin.ctx, input: { userId: q.id, reason: "" } }))).code).toBe("VALIDATION");
    expect(await resetUserTotp({ ctx: admin.ctx, input: { userId: q.id, reason: "lost phone, ticket 42" } })).toEqual({ removed: true });
    expect((await signInWith(q.email)).user.email).toBe(q.email);
    // The reset signs the person out everywhere.
    const [ended] = await appDb()
      .select({ revokedAt: userSessions.revokedAt })
      .from(userSessions)
      .where(eq(userSessions.tokenHash, hashSecret(before.sessionToken)));
    expect(ended?.revokedAt).not.toBeNull();
    expect(await auditActions(p.email)).toContain("auth.totp_removed");
    expect(await auditActions(q.email)).toContain("user.totp_reset");
  });

  it("takes a hostile code as a wrong one", async () => {
    const p = await enrolled();
    for (const totp of ["12345\u0000", "１２３４５６", "' OR 1=1 --", "\ud800\ud800\ud800", "%s%s%s"]) {
      expect((await refusal(signInWith(p.email, { totp }))).code).toBe("UNAUTHENTICATED");
    }
  });
});
