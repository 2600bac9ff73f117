import { and, asc, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiTokens, unknownAccountSignIns, userSessions, users } from "@/db/schema";
import type { Role } from "@/db/schema/auth";
import { MAX_TOKEN_CHAIN, type TokenLink, type TokenOwner, tokenStanding } from "@/lib/auth/token-chain";
import type { ApiTokenView, UserView } from "@/lib/auth/views";

export async function findUserByEmail(db: Queryable, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return row ?? null;
}

export async function findUserById(db: Queryable, id: string) {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row ?? null;
}

export async function countActiveAdmins(db: Queryable, exceptUserId?: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt), exceptUserId ? sql`${users.id} <> ${exceptUserId}` : undefined));
  return row?.n ?? 0;
}

export async function countUsers(db: Queryable): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? 0;
}

/** A live session: not revoked, not expired, used within the idle timeout, of an enabled user. */
export async function findLiveSession(db: Queryable, tokenHash: string, idleSeconds: number) {
  const [row] = await db
    .select({
      sessionId: userSessions.id,
      lastSeenAt: userSessions.lastSeenAt,
      userId: users.id,
      email: users.email,
      role: users.role,
      mustChangePassword: users.mustChangePassword,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(
      and(
        eq(userSessions.tokenHash, tokenHash),
        isNull(userSessions.revokedAt),
        gt(userSessions.expiresAt, sql`now()`),
        gt(userSessions.lastSeenAt, sql`now() - make_interval(secs => ${idleSeconds})`),
        isNull(users.disabledAt),
      ),
    )
    .limit(1);
  return row ?? null;
}

type ChainRow = {
  id: string;
  name: string;
  role: Role;
  parent_token_id: string | null;
  owner_user_id: string | null;
  revoked_at: Date | string | null;
  expires_at: Date | string | null;
  last_used_at: Date | string | null;
  owner_email: string | null;
  owner_role: Role | null;
  owner_disabled: boolean | null;
};

const dateOrNull = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

export interface ApiTokenChain {
  /** The token first, then the token that minted it, up to the root (at most `maxLinks`). */
  links: (TokenLink & { lastUsedAt: Date | null })[];
  /** The person at the root as they are now; null for a chain the operator began, or an owner that is gone. */
  owner: TokenOwner | null;
}

/** A token, found by its secret's hash or its id, with every token above it and its owner's current role. */
export async function findApiTokenChain(db: Queryable, by: { tokenHash: string } | { tokenId: string }, maxLinks = MAX_TOKEN_CHAIN): Promise<ApiTokenChain> {
  const start = "tokenHash" in by ? sql`t.token_hash = ${by.tokenHash}` : sql`t.id = ${by.tokenId}`;
  const result = await db.execute<ChainRow>(sql`
    WITH RECURSIVE chain AS (
      SELECT t.id, t.name, t.role, t.parent_token_id, t.owner_user_id, t.revoked_at, t.expires_at, t.last_used_at, 1 AS depth
      FROM ${apiTokens} t WHERE ${start}
      UNION ALL
      SELECT p.id, p.name, p.role, p.parent_token_id, p.owner_user_id, p.revoked_at, p.expires_at, p.last_used_at, chain.depth + 1
      FROM ${apiTokens} p JOIN chain ON p.id = chain.parent_token_id
      WHERE chain.depth < ${maxLinks}
    )
    SELECT chain.id, chain.name, chain.role, chain.parent_token_id, chain.owner_user_id, chain.revoked_at, chain.expires_at, chain.last_used_at,
      u.email AS owner_email, u.role AS owner_role, u.disabled_at IS NOT NULL AS owner_disabled
    FROM chain LEFT JOIN ${users} u ON u.id = chain.owner_user_id
    ORDER BY chain.depth`);
  const root = result.rows.at(-1);
  return {
    links: result.rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      parentTokenId: r.parent_token_id,
      ownerUserId: r.owner_user_id,
      revokedAt: dateOrNull(r.revoked_at),
      expiresAt: dateOrNull(r.expires_at),
      lastUsedAt: dateOrNull(r.last_used_at),
    })),
    owner: root?.owner_email && root.owner_role ? { email: root.owner_email, role: root.owner_role, disabled: root.owner_disabled === true } : null,
  };
}

/** Ids of every token minted, directly or not, from this one. */
export async function findDescendantTokenIds(db: Queryable, tokenId: string): Promise<string[]> {
  const result = await db.execute<{ id: string }>(sql`
    WITH RECURSIVE descendants AS (
      SELECT t.id FROM ${apiTokens} t WHERE t.parent_token_id = ${tokenId}
      UNION
      SELECT c.id FROM ${apiTokens} c JOIN descendants d ON c.parent_token_id = d.id
    )
    SELECT id FROM descendants`);
  return result.rows.map((r) => r.id);
}

export async function listUsers(db: Queryable): Promise<UserView[]> {
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      disabledAt: users.disabledAt,
      lockedUntil: users.lockedUntil,
      createdAt: users.createdAt,
      // Written out: drizzle renders a column in a one-table select's sql as a bare "id", which here would be s.id.
      lastSignIn: sql<string | null>`(SELECT max(s.created_at)::text FROM user_sessions s WHERE s.user_id = users.id)`,
    })
    .from(users)
    .orderBy(asc(users.email));
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    disabled: r.disabledAt !== null,
    locked_until: r.lockedUntil && r.lockedUntil.getTime() > Date.now() ? r.lockedUntil.toISOString() : null,
    created_at: r.createdAt.toISOString(),
    last_sign_in_at: r.lastSignIn ? new Date(r.lastSignIn).toISOString() : null,
  }));
}

/** Every token, newest first, each judged along its whole chain as authentication would judge it. */
export async function listApiTokens(db: Queryable): Promise<ApiTokenView[]> {
  const rows = await db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt));
  const owners = await db.select({ id: users.id, email: users.email, role: users.role, disabledAt: users.disabledAt }).from(users);
  const tokenById = new Map(rows.map((r) => [r.id, r]));
  const ownerById = new Map(owners.map((o) => [o.id, { email: o.email, role: o.role, disabled: o.disabledAt !== null }]));
  const chainOf = (id: string): TokenLink[] => {
    const chain: TokenLink[] = [];
    for (let link = tokenById.get(id); link && chain.length < MAX_TOKEN_CHAIN; link = link.parentTokenId ? tokenById.get(link.parentTokenId) : undefined) {
      chain.push(link);
    }
    return chain;
  };
  return rows.map((r) => {
    const chain = chainOf(r.id);
    const ownerId = chain.at(-1)?.ownerUserId ?? null;
    const owner = ownerId ? (ownerById.get(ownerId) ?? null) : null;
    const standing = tokenStanding(chain, owner);
    const parent = r.parentTokenId ? tokenById.get(r.parentTokenId) : undefined;
    return {
      id: r.id,
      name: r.name,
      role: r.role,
      effective_role: standing.live ? standing.role : null,
      dead_because: standing.live ? null : standing.why,
      owner_email: owner?.email ?? null,
      parent: parent ? { id: parent.id, name: parent.name } : null,
      prefix: r.tokenPrefix,
      created_by: r.createdBy,
      created_at: r.createdAt.toISOString(),
      expires_at: r.expiresAt?.toISOString() ?? null,
      last_used_at: r.lastUsedAt?.toISOString() ?? null,
      revoked_at: r.revokedAt?.toISOString() ?? null,
    };
  });
}

/** A person's live sessions (not ended, not expired, used within the idle timeout), most recently used first. */
export async function listLiveSessions(db: Queryable, userId: string, idleSeconds: number) {
  return db
    .select({
      id: userSessions.id,
      createdAt: userSessions.createdAt,
      lastSeenAt: userSessions.lastSeenAt,
      expiresAt: userSessions.expiresAt,
      sourceIp: userSessions.sourceIp,
      userAgent: userSessions.userAgent,
    })
    .from(userSessions)
    .where(
      and(
        eq(userSessions.userId, userId),
        isNull(userSessions.revokedAt),
        gt(userSessions.expiresAt, sql`now()`),
        gt(userSessions.lastSeenAt, sql`now() - make_interval(secs => ${idleSeconds})`),
      ),
    )
    .orderBy(desc(userSessions.lastSeenAt), desc(userSessions.createdAt));
}

/** When guesses at an e-mail address that has no account may resume; null when they are not locked. */
export async function findUnknownAccountLock(db: Queryable, email: string): Promise<Date | null> {
  const [row] = await db.select({ lockedUntil: unknownAccountSignIns.lockedUntil }).from(unknownAccountSignIns).where(eq(unknownAccountSignIns.email, email));
  return row?.lockedUntil ?? null;
}
