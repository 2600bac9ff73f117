import { and, desc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { toolTokenKeys, toolTokens } from "@/db/schema";
import type { AgentToolTokens, ToolTokenView } from "@/lib/tool-tokens/schemas";

const TOKENS_SHOWN = 100;

type Row = typeof toolTokens.$inferSelect;

function toView(r: Row, nowMs: number): ToolTokenView {
  return {
    jti: r.jti,
    agent_id: r.agentId,
    session_id: r.sessionId,
    tools: r.tools,
    permissions: r.permissions,
    tool_permissions: r.toolPermissions,
    alg: r.alg,
    kid: r.kid,
    policy_version: r.policyVersion,
    issued_at: r.issuedAt.toISOString(),
    expires_at: r.expiresAt.toISOString(),
    state: r.revokedAt ? "revoked" : r.expiresAt.getTime() <= nowMs ? "expired" : "live",
    revoked_at: r.revokedAt?.toISOString() ?? null,
    revoked_by: r.revokedBy,
    revoke_reason: r.revokeReason,
  };
}

/** The tokens an agent holds now, then its most recent others, through its (agent_id, expires_at) index. */
export async function agentToolTokens(db: Queryable, agentId: string): Promise<AgentToolTokens> {
  const nowMs = Date.now();
  const rows = await db
    .select()
    .from(toolTokens)
    .where(eq(toolTokens.agentId, agentId))
    .orderBy(sql`(${toolTokens.revokedAt} IS NULL AND ${toolTokens.expiresAt} > now()) DESC`, desc(toolTokens.expiresAt))
    .limit(TOKENS_SHOWN);
  const tokens = rows.map((r) => toView(r, nowMs));
  const live = tokens.filter((t) => t.state === "live");
  const [count] = await db
    .select({ live: sql<number>`count(*)::int`, last: sql<Date | null>`max(${toolTokens.expiresAt})` })
    .from(toolTokens)
    .where(and(eq(toolTokens.agentId, agentId), isNull(toolTokens.revokedAt), gt(toolTokens.expiresAt, sql`now()`)));
  return {
    agent_id: agentId,
    live: count?.live ?? live.length,
    last_expires_at: count?.last ? new Date(count.last).toISOString() : null,
    tokens,
  };
}

/** Revoked tokens not yet expired: what a tool must refuse that its signature and expiry would still accept. */
export async function unexpiredRevocations(db: Queryable, revokedSince?: Date): Promise<{ jti: string; exp: number }[]> {
  const rows = await db
    .select({ jti: toolTokens.jti, expiresAt: toolTokens.expiresAt })
    .from(toolTokens)
    .where(and(isNotNull(toolTokens.revokedAt), gt(toolTokens.expiresAt, sql`now()`), revokedSince ? gt(toolTokens.revokedAt, revokedSince) : undefined));
  return rows.map((r) => ({ jti: r.jti, exp: Math.floor(r.expiresAt.getTime() / 1000) }));
}

/** Every generation of the signing key ever started, newest first; none means generation 1 alone. */
export async function signingKeyGenerations(db: Queryable) {
  return db.select().from(toolTokenKeys).orderBy(desc(toolTokenKeys.generation));
}
