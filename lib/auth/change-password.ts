import { and, eq, isNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { findUserById } from "@/db/queries/auth";
import { users, userSessions } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { parseOrThrow } from "./authorize";
import { passwordSchema } from "./schemas";
import { hashPassword, verifyPassword } from "./secrets";

const changePasswordInput = z
  .object({ current_password: z.string().max(256), new_password: passwordSchema })
  .refine((v) => v.current_password !== v.new_password, { message: "new_password: must differ from the current one", path: ["new_password"] });

/** A person sets their own password (required after a one-time one); their other sessions end. */
export async function changeOwnPassword({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<void> {
  const actor = ctx.actor;
  if (actor.type !== "user") throw new AppError("VALIDATION", "API tokens have no password; sign in as a person to change yours");
  const { current_password, new_password } = parseOrThrow(changePasswordInput, input);
  const user = await findUserById(ctx.db, actor.userId);
  if (!user || !(await verifyPassword(current_password, user.passwordHash))) {
    throw new AppError("VALIDATION", "current_password: that is not your current password", {
      details: { errors: [{ path: "current_password", message: "that is not your current password" }] },
    });
  }
  const passwordHash = await hashPassword(new_password);
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, mustChangePassword: false, passwordChangedAt: sql`now()` }).where(eq(users.id, user.id));
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
