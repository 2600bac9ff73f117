import { findUnknownAccountLock, findUserByEmail } from "@/db/queries/auth";
import { userSessions } from "@/db/schema";
import type { Role } from "@/db/schema/auth";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { parseOrThrow } from "./authorize";
import { clearFailedAttempts, lockedForSeconds, lockedOut, reserveAttempt, reserveUnknownAccountAttempt } from "./lockout";
import { emailSchema, signInInput } from "./schemas";
import { decoyPasswordHash, generateSecret, verifyPassword } from "./secrets";
import { ONE_TIME_PASSWORD_TTL_S, SESSION_MAX_AGE_S, SESSION_PREFIX } from "./sessions";
import { acceptSecondFactor, needsSecondFactor } from "./totp";

export interface SignedIn {
  sessionToken: string;
  expiresAt: Date;
  user: { id: string; email: string; role: Role; must_change_password: boolean };
}

const WRONG = "Wrong e-mail or password";

/**
 * Checks a password and opens a session. Every attempt is audited, failures included; a failure's
 * audit row and failed-attempt count are committed before the error is thrown.
 */
export async function signIn({ ctx, input, userAgent }: { ctx: Ctx; input: unknown; userAgent: string | null }): Promise<SignedIn> {
  const { email, password, totp, recovery_code } = parseOrThrow(signInInput, input);
  // A password typed into the e-mail field must not land in the permanent, hash-chained audit log.
  const target = emailSchema.safeParse(email).success ? email : "(not an e-mail address)";
  const audit = (action: string, reason: string | null, after?: unknown) =>
    ctx.db.transaction((tx) => recordAudit(tx, ctx, { action, targetType: "user", targetId: target, reason, after }));

  const user = await findUserByEmail(ctx.db, email);
  if (!user) {
    // Counted and locked like a real account (no account can have an address that is not one).
    const reserved = target === email ? await reserveUnknownAccountAttempt(ctx.db, email) : { failed: 0, lockedUntil: null };
    if (!reserved) {
      await audit("auth.sign_in_failed", "unknown account, locked after repeated failures");
      throw lockedOut(await findUnknownAccountLock(ctx.db, email));
    }
    await verifyPassword(password, await decoyPasswordHash());
    const lockFor = lockedForSeconds(reserved);
    await audit("auth.sign_in_failed", lockFor > 0 ? `unknown account; locked for ${lockFor} s` : "unknown account", { failed_sign_ins: reserved.failed });
    throw new AppError("UNAUTHENTICATED", WRONG);
  }

  const reserved = await reserveAttempt(ctx.db, user.id);
  if (!reserved) {
    await audit("auth.sign_in_failed", "account locked after repeated failures");
    throw lockedOut(user.lockedUntil);
  }

  const passwordOk = await verifyPassword(password, user.passwordHash);
  const oneTimeExpired = user.mustChangePassword && Date.now() - user.passwordChangedAt.getTime() > ONE_TIME_PASSWORD_TTL_S * 1000;
  if (passwordOk && oneTimeExpired && !user.disabledAt) {
    await audit("auth.sign_in_failed", "one-time password expired unused");
    throw new AppError("UNAUTHENTICATED", "This one-time password has expired; ask an admin for a new one");
  }
  if (!passwordOk || user.disabledAt) {
    const lockFor = lockedForSeconds(reserved);
    await audit(
      "auth.sign_in_failed",
      !passwordOk ? (lockFor > 0 ? `wrong password; account locked for ${lockFor} s` : "wrong password") : "account disabled",
      { failed_sign_ins: reserved.failed },
    );
    throw new AppError("UNAUTHENTICATED", WRONG);
  }

  // The failed-attempt count stands until the second factor is right too: guessing codes locks the account.
  let secondFactor: string | null = null;
  if (await needsSecondFactor(ctx.db, user.id)) {
    if (totp === undefined && recovery_code === undefined) {
      await audit("auth.sign_in_second_factor_asked", null, { failed_sign_ins: reserved.failed });
      throw new AppError(
        "MFA_REQUIRED",
        "This account signs in with a second factor: send the code your authenticator shows as totp, or a recovery code as recovery_code",
      );
    }
    secondFactor = await acceptSecondFactor(ctx.db, user.id, { totp, recovery_code });
    if (!secondFactor) {
      const lockFor = lockedForSeconds(reserved);
      await audit("auth.sign_in_failed", lockFor > 0 ? `wrong or reused second factor; account locked for ${lockFor} s` : "wrong or reused second factor", {
        failed_sign_ins: reserved.failed,
      });
      throw new AppError("UNAUTHENTICATED", "Wrong code, or a code already used; wait for the next one");
    }
  }

  const session = generateSecret(SESSION_PREFIX);
  const expiresAt = new Date(Date.now() + SESSION_MAX_AGE_S * 1000);
  await ctx.db.transaction(async (tx) => {
    await clearFailedAttempts(tx, user.id);
    const [created] = await tx
      .insert(userSessions)
      .values({ userId: user.id, tokenHash: session.hash, expiresAt, sourceIp: ctx.sourceIp, userAgent: userAgent?.slice(0, 300) ?? null })
      .returning({ id: userSessions.id });
    await recordAudit(
      tx,
      { ...ctx, actor: { type: "user", userId: user.id, email: user.email, role: user.role, sessionId: created?.id ?? "" } },
      {
        action: "auth.sign_in",
        targetType: "user",
        targetId: email,
        after: { session_id: created?.id, expires_at: expiresAt.toISOString(), second_factor: secondFactor },
      },
    );
  });
  return {
    sessionToken: session.secret,
    expiresAt,
    user: { id: user.id, email: user.email, role: user.role, must_change_password: user.mustChangePassword },
  };
}
