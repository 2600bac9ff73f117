import { and, eq, isNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { findUserById } from "@/db/queries/auth";
import { userSessions, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { parseOrThrow } from "./authorize";
import { clearFailedAttempts, lockedForSeconds, lockedOut, reserveAttempt } from "./lockout";
import { passwordSchema } from "./schemas";
import { hashPassword, verifyPassword } from "./secrets";

export const changePasswordInput = z
  .object({ current_password: z.string().max(256), new_password: passwordSchema })
  .refine((v) => v.current_password !== v.new_password, { message: "new_password: must differ from the current one", path: ["new_password"] });

/**
 * A person sets their own password (required after a one-time one); their other sessions end. A wrong
 * current password counts towards the account's sign-in lock-out, so a stolen session cannot guess it
 * without limit: the guess that locks the account also ends the session that made it.
 */
export async function changeOwnPassword({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<void> {
  const actor = ctx.actor;
  if (actor.type !== "user") throw new AppError("VALIDATION", "API tokens have no password; sign in as a person to change yours");
  const { current_password, new_password } = parseOrThrow(changePasswordInput, input);
  const user = await findUserById(ctx.db, actor.userId);
  if (!user) throw new AppError("UNAUTHENTICATED", "Your account no longer exists");
  const recordFailure = (reason: string, opts: { failedSignIns?: number; endSession?: boolean } = {}) =>
    ctx.db.transaction(async (tx) => {
      if (opts.endSession) {
        await tx
          .update(userSessions)
          .set({ revokedAt: sql`now()` })
          .where(and(eq(userSessions.id, actor.sessionId), isNull(userSessions.revokedAt)));
      }
      await recordAudit(tx, ctx, {
        action: "user.change_password_failed",
        targetType: "user",
        targetId: user.email,
        reason,
        after: opts.failedSignIns === undefined ? undefined : { failed_sign_ins: opts.failedSignIns, session_ended: opts.endSession === true },
      });
    });

  const reserved = await reserveAttempt(ctx.db, user.id);
  if (!reserved) {
    await recordFailure("account locked after repeated failures");
    throw lockedOut(user.lockedUntil);
  }
  if (!(await verifyPassword(current_password, user.passwordHash))) {
    const lockFor = lockedForSeconds(reserved);
    await recordFailure(lockFor > 0 ? `wrong current password; account locked for ${lockFor} s` : "wrong current password", {
      failedSignIns: reserved.failed,
      endSession: lockFor > 0,
    });
    const message =
      lockFor > 0
        ? `that is not your current password; after ${reserved.failed} wrong tries the account is locked for ${lockFor} s and this session has ended`
        : "that is not your current password";
    throw new AppError("VALIDATION", `current_password: ${message}`, { details: { errors: [{ path: "current_password", message }] } });
  }

  const passwordHash = await hashPassword(new_password);
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, mustChangePassword: false, passwordChangedAt: sql`now()` }).where(eq(users.id, user.id));
    await clearFailedAttempts(tx, user.id);
    await tx
      .update(userSessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(userSessions.userId, user.id), ne(userSessions.id, actor.sessionId), isNull(userSessions.revokedAt)));
    await recordAudit(tx, ctx, {
      action: "user.change_password",
      targetType: "user",
      targetId: user.email,
      after: { other_sessions: "revoked", one_time_password_replaced: user.mustChangePassword },
    });
  });
}
