import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { findApiTokenChain, findLiveSession } from "@/db/queries/auth";
import { apiTokens, userSessions } from "@/db/schema";
import type { Actor } from "@/lib/context";
import { type Role, roleAtLeast } from "./roles";
import { hashSecret } from "./secrets";
import { API_TOKEN_PREFIX, readCookie, SESSION_IDLE_S, SESSION_PREFIX, sessionCookieName } from "./sessions";
import { tokenStanding } from "./token-chain";

export interface Credentials {
  authorization: string | null;
  cookie: string | null;
  /** Reached over HTTPS: only the __Host- cookie counts then. */
  secure?: boolean;
}

export type Authenticated = { actor: Extract<Actor, { type: "user" | "api_token" }>; via: "cookie" | "bearer" };

const TOUCH_EVERY_MS = 60_000;

/**
 * Who is calling: an API token in `Authorization: Bearer`, else the session cookie; null for nobody.
 * A token acts with the least role along its chain and its owner's current role (see token-chain.ts).
 * A call that counts as use keeps the session from idling out and dates the token's last use.
 */
export async function authenticate(db: Db, credentials: Credentials, { countsAsUse = true }: { countsAsUse?: boolean } = {}): Promise<Authenticated | null> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(credentials.authorization ?? "")?.[1];
  if (bearer) {
    if (!bearer.startsWith(API_TOKEN_PREFIX)) return null;
    const chain = await findApiTokenChain(db, { tokenHash: hashSecret(bearer) });
    const standing = tokenStanding(chain.links, chain.owner);
    const [token] = chain.links;
    if (!token || !standing.live) return null;
    if (countsAsUse && (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS)) {
      await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, token.id));
    }
    return { actor: { type: "api_token", tokenId: token.id, name: token.name, role: standing.role }, via: "bearer" };
  }
  const cookie = readCookie(credentials.cookie, sessionCookieName(credentials.secure === true));
  if (!cookie?.startsWith(SESSION_PREFIX)) return null;
  const session = await findLiveSession(db, hashSecret(cookie), SESSION_IDLE_S);
  if (!session) return null;
  if (countsAsUse && Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.update(userSessions).set({ lastSeenAt: sql`now()` }).where(eq(userSessions.id, session.sessionId));
  }
  return {
    actor: {
      type: "user",
      userId: session.userId,
      email: session.email,
      role: session.role,
      sessionId: session.sessionId,
      mustChangePassword: session.mustChangePassword,
    },
    via: "cookie",
  };
}

/**
 * Whether the caller a stream was opened for still holds `minimum` with the same credentials: the
 * same token or the same session, still live, its role (as it stands now) high enough, and no
 * one-time password to replace. Not counted as use, so an open stream never keeps a session from
 * idling out.
 */
export async function stillAuthorized(db: Db, credentials: Credentials, opened: Actor, minimum: Role): Promise<boolean> {
  const now = await authenticate(db, credentials, { countsAsUse: false });
  if (!now || !roleAtLeast(now.actor.role, minimum)) return false;
  if (now.actor.type === "api_token") return opened.type === "api_token" && opened.tokenId === now.actor.tokenId;
  return opened.type === "user" && opened.sessionId === now.actor.sessionId && !now.actor.mustChangePassword;
}
