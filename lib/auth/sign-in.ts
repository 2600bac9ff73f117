import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import { findUserByEmail } from "@/db/queries/auth";
import { users, userSessions } from "@/db/schema";
import type { Role } from "@/db/schema/auth";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { parseOrThrow } from "./authorize";
import { emailSchema, signInInput } from "./schemas";
import { decoyPasswordHash, generateSecret, verifyPassword } from "./secrets";
import { FREE_ATTEMPTS, ONE_TIME_PASSWORD_TTL_S, SESSION_MAX_AGE_S, SESSION_PREFIX } from "./sessions";

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
  const { email, password } = parseOrThrow(signInInput, input);
  // A password typed into the e-mail field must not land in the permanent, hash-chained audit log.
  const target = emailSchema.safeParse(email).success ? email : "(not an e-mail address)";
  const audit = (action: string, reason: string | null, after?: unknown) =>
    ctx.db.transaction((tx) => recordAudit(tx, ctx, { action, targetType: "user", targetId: target, reason, after }));

  const user = await findUserByEmail(ctx.db, email);
  if (!user) {
    await verifyPassword(password, await decoyPasswordHash());
    await audit("auth.sign_in_failed", "unknown account");
    throw new AppError("UNAUTHENTICATED", WRONG);
  }

  // The attempt is counted before the password is checked, in one statement: parallel guesses cannot
  // slip past the lock-out while a slow scrypt runs. Success resets the count below.
  const [reserved] = await ctx.db
    .update(users)
    .set({
      failedSignIns: sql`${users.failedSignIns} + 1`,
      lockedUntil: sql`CASE WHEN ${users.failedSignIns} + 1 >= ${FREE_ATTEMPTS}
        THEN now() + make_interval(secs => least(3600, 60 * power(2, ${users.failedSignIns} + 1 - ${FREE_ATTEMPTS})))
        ELSE NULL END`,
    })
    .where(and(eq(users.id, user.id), or(isNull(users.lockedUntil), lte(users.lockedUntil, sql`now()`))))
    .returning({ failed: users.failedSignIns, lockedUntil: users.lockedUntil });
  if (!reserved) {
    const retryAfter = Math.max(1, Math.ceil(((user.lockedUntil?.getTime() ?? Date.now()) - Date.now()) / 1000));
    await audit("auth.sign_in_failed", "account locked after repeated failures");
    throw new AppError("RATE_LIMITED", `Too many failed sign-ins for this account; try again in ${retryAfter} s`, {
      headers: { "Retry-After": String(retryAfter) },
    });
  }

  const passwordOk = await verifyPassword(password, user.passwordHash);
  const oneTimeExpired = user.mustChangePassword && Date.now() - user.passwordChangedAt.getTime() > ONE_TIME_PASSWORD_TTL_S * 1000;
  if (passwordOk && oneTimeExpired && !user.disabledAt) {
    await audit("auth.sign_in_failed", "one-time password expired unused");
    throw new AppError("UNAUTHENTICATED", "This one-time password has expired; ask an admin for a new one");
  }
  if (!passwordOk || user.disabledAt) {
    const lockFor = reserved.lockedUntil ? Math.round((reserved.lockedUntil.getTime() - Date.now()) / 1000) : 0;
    await audit(
      "auth.sign_in_failed",
      !passwordOk ? (lockFor > 0 ? `wrong password; account locked for ${lockFor} s` : "wrong password") : "account disabled",
      { failed_sign_ins: reserved.failed },
    );
    throw new AppError("UNAUTHENTICATED", WRONG);
  }

  const session = generateSecret(SESSION_PREFIX);
  const expiresAt = new Date(Date.now() + SESSION_MAX_AGE_S * 1000);
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ failedSignIns: 0, lockedUntil: null }).where(eq(users.id, user.id));
    const [created] = await tx
      .insert(userSessions)
      .values({ userId: user.id, tokenHash: session.hash, expiresAt, sourceIp: ctx.sourceIp, userAgent: userAgent?.slice(0, 300) ?? null })
      .returning({ id: userSessions.id });
    await recordAudit(tx, { ...ctx, actor: { type: "user", userId: user.id, email: user.email, role: user.role, sessionId: created?.id ?? "" } }, {
      action: "auth.sign_in",
      targetType: "user",
      targetId: email,
      after: { session_id: created?.id, expires_at: expiresAt.toISOString() },
    });
  });
  return {
    sessionToken: session.secret,
    expiresAt,
    user: { id: user.id, email: user.email, role: user.role, must_change_password: user.mustChangePassword },
  };
}
