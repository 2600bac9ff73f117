import { and, eq, isNull, sql } from "drizzle-orm";
import { userSessions } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";

/** Ends the caller's browser session on the server: the cookie is worthless afterwards, even if kept. */
export async function signOut({ ctx }: { ctx: Ctx }): Promise<void> {
  const actor = ctx.actor;
  if (actor.type !== "user") throw new AppError("VALIDATION", "Only a browser session can sign out; revoke API tokens instead");
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(userSessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(userSessions.id, actor.sessionId), isNull(userSessions.revokedAt)));
    await recordAudit(tx, ctx, { action: "auth.sign_out", targetType: "user", targetId: actor.email, after: { session_id: actor.sessionId } });
  });
}
