import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { countActiveAdmins } from "@/db/queries/auth";
import { apiTokens, userSessions, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { authorize, parseOrThrow } from "./authorize";
import { updateUserInput } from "./schemas";
import { generateOneTimePassword, hashPassword } from "./secrets";

/**
 * Changes a user's role or disables/enables the account. Disabling ends every session and revokes every
 * API token the person's chains hold; a demotion needs no write, since each token acts with at most its
 * owner's current role.
 */
export async function updateUser({ ctx, input }: { ctx: Ctx; input: unknown }) {
  authorize(ctx, "admin", "change users");
  const change = parseOrThrow(updateUserInput, input);
  return ctx.db.transaction(async (tx) => {
    // Row lock: two admins changing the last admins at once must not both succeed.
    const [user] = await tx.select().from(users).where(eq(users.id, change.userId)).for("update");
    if (!user) throw new AppError("NOT_FOUND", `No user ${change.userId}`);
    const losesAdmin = user.role === "admin" && user.disabledAt === null && ((change.role && change.role !== "admin") || change.disabled === true);
    if (losesAdmin) {
      await tx.execute(sql`SELECT 1 FROM users WHERE role = 'admin' AND disabled_at IS NULL FOR UPDATE`);
      if ((await countActiveAdmins(tx, user.id)) === 0) {
        throw new AppError("CONFLICT", "At least one enabled admin must remain; make another admin first");
      }
    }
    const disabledAt = change.disabled === undefined ? user.disabledAt : change.disabled ? (user.disabledAt ?? new Date()) : null;
    const [updated] = await tx
      .update(users)
      .set({ role: change.role ?? user.role, disabledAt })
      .where(eq(users.id, user.id))
      .returning({ id: users.id, email: users.email, role: users.role, disabledAt: users.disabledAt });
    let tokensRevoked: string[] = [];
    if (change.disabled === true) {
      await tx
        .update(userSessions)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(userSessions.userId, user.id), isNull(userSessions.revokedAt)));
      // Every token in the chains this person began leaves with them, tokens minted from tokens included.
      const revoked = await tx
        .update(apiTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(apiTokens.ownerUserId, user.id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      tokensRevoked = revoked.map((t) => t.id);
    }
    await recordAudit(tx, ctx, {
      action: "user.update",
      targetType: "user",
      targetId: user.email,
      reason: change.reason ?? null,
      before: { role: user.role, disabled: user.disabledAt !== null },
      after: { role: updated?.role, disabled: updated?.disabledAt !== null, ...(tokensRevoked.length > 0 ? { api_tokens_revoked: tokensRevoked } : {}) },
    });
    return { user_id: user.id, email: user.email, role: updated?.role ?? user.role, disabled: updated?.disabledAt != null };
  });
}

/** Replaces a user's password with a one-time password (shown once) and ends their sessions. */
export async function resetPassword({ ctx, input }: { ctx: Ctx; input: { userId: string; reason?: string } }) {
  authorize(ctx, "admin", "reset passwords");
  const userId = parseOrThrow(z.uuid({ message: "userId: expected a user id (UUID)" }), input.userId);
  const oneTime = generateOneTimePassword();
  const passwordHash = await hashPassword(oneTime);
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .update(users)
      .set({ passwordHash, passwordChangedAt: sql`now()`, failedSignIns: 0, lockedUntil: null, mustChangePassword: true })
      .where(eq(users.id, userId))
      .returning({ id: users.id, email: users.email });
    if (!user) throw new AppError("NOT_FOUND", `No user ${userId}`);
    await tx
      .update(userSessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(userSessions.userId, user.id), isNull(userSessions.revokedAt)));
    await recordAudit(tx, ctx, {
      action: "user.reset_password",
      targetType: "user",
      targetId: user.email,
      reason: input.reason ?? null,
      after: { sessions: "revoked", password: "one-time password issued" },
    });
    return { user_id: user.id, email: user.email, one_time_password: oneTime };
  });
}
