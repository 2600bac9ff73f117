import { z } from "zod";
import { findUserById, listLiveSessions } from "@/db/queries/auth";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { authorize, parseOrThrow } from "./authorize";
import { SESSION_IDLE_S } from "./sessions";
import { describeUserAgent } from "./user-agent";
import type { SessionView } from "./views";

type SessionRow = Awaited<ReturnType<typeof listLiveSessions>>[number];

function sessionView(row: SessionRow, currentSessionId: string | null): SessionView {
  return {
    id: row.id,
    started_at: row.createdAt.toISOString(),
    last_seen_at: row.lastSeenAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    address: row.sourceIp,
    device: describeUserAgent(row.userAgent),
    current: row.id === currentSessionId,
  };
}

const currentOf = (ctx: Ctx) => (ctx.actor.type === "user" ? ctx.actor.sessionId : null);

/** The caller's own live browser sessions, the one making the request marked current. */
export async function listOwnSessions({ ctx }: { ctx: Ctx }): Promise<SessionView[]> {
  const actor = ctx.actor;
  if (actor.type !== "user") throw new AppError("VALIDATION", "API tokens have no browser sessions; sign in as a person to see yours");
  return (await listLiveSessions(ctx.db, actor.userId, SESSION_IDLE_S)).map((row) => sessionView(row, actor.sessionId));
}

/** Anyone's live browser sessions, for an admin. */
export async function listUserSessions({ ctx, input }: { ctx: Ctx; input: { userId: string } }): Promise<SessionView[]> {
  authorize(ctx, "admin", "see other people's sessions");
  const userId = parseOrThrow(z.uuid({ message: "expected a user id (UUID)" }), input.userId, "userId");
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError("NOT_FOUND", `No user ${userId}`);
  return (await listLiveSessions(ctx.db, user.id, SESSION_IDLE_S)).map((row) => sessionView(row, currentOf(ctx)));
}
