import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { findUserById } from "@/db/queries/auth";
import { userSessions } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { authorize, parseOrThrow } from "./authorize";
import { endSessionsBody, sessionIdSchema } from "./schemas";

export interface EndedSessions {
  ended: string[];
  /** The session making the request was among them: the route clears its cookie. */
  signed_out: boolean;
}

const userIdSchema = z.uuid({ message: "expected a user id (UUID)" });

/**
 * Ends sessions of one person, audited as session.end in the same transaction. Settled in SQL: a
 * session already ended (or ended by a racing call) is not returned, so it is never reported twice.
 */
async function endSessionsOf(
  ctx: Ctx,
  person: { id: string; email: string },
  which: { sessionId: string } | "all",
  audit: { reason: string | null; endedBy: "self" | "admin" },
): Promise<EndedSessions> {
  return ctx.db.transaction(async (tx) => {
    const ended = await tx
      .update(userSessions)
      .set({ revokedAt: sql`now()` })
      .where(
        and(
          eq(userSessions.userId, person.id),
          isNull(userSessions.revokedAt),
          gt(userSessions.expiresAt, sql`now()`),
          which === "all" ? undefined : eq(userSessions.id, which.sessionId),
        ),
      )
      .returning({ id: userSessions.id });
    if (which !== "all" && ended.length === 0) {
      throw new AppError("NOT_FOUND", `No live session ${which.sessionId} of ${audit.endedBy === "self" ? "yours" : person.email}`);
    }
    const ids = ended.map((s) => s.id);
    const signedOut = ctx.actor.type === "user" && ids.includes(ctx.actor.sessionId);
    await recordAudit(tx, ctx, {
      action: "session.end",
      targetType: "user",
      targetId: person.email,
      reason: audit.reason,
      after: { session_ids: ids, ended_by: audit.endedBy, scope: which === "all" ? "all" : "one", caller_signed_out: signedOut },
    });
    return { ended: ids, signed_out: signedOut };
  });
}

/** Ends one of the caller's own browser sessions (another device, or this one: a sign-out). */
export async function endOwnSession({ ctx, input }: { ctx: Ctx; input: { sessionId: string } }): Promise<EndedSessions> {
  const actor = ctx.actor;
  if (actor.type !== "user") throw new AppError("VALIDATION", "API tokens have no browser sessions; sign in as a person to end yours");
  const sessionId = parseOrThrow(sessionIdSchema, input.sessionId, "sessionId");
  return endSessionsOf(ctx, { id: actor.userId, email: actor.email }, { sessionId }, { reason: null, endedBy: "self" });
}

/** An admin ends one of someone's sessions, or all of them, with a reason. */
export async function endUserSessions({ ctx, input }: { ctx: Ctx; input: { userId: string; sessionId?: string; body: unknown } }): Promise<EndedSessions> {
  authorize(ctx, "admin", "end other people's sessions");
  const userId = parseOrThrow(userIdSchema, input.userId, "userId");
  const sessionId = input.sessionId === undefined ? undefined : parseOrThrow(sessionIdSchema, input.sessionId, "sessionId");
  const { reason } = parseOrThrow(endSessionsBody, input.body);
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError("NOT_FOUND", `No user ${userId}`);
  return endSessionsOf(ctx, { id: user.id, email: user.email }, sessionId === undefined ? "all" : { sessionId }, { reason, endedBy: "admin" });
}
