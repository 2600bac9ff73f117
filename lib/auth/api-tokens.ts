import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { findApiTokenChain, findDescendantTokenIds, findUserById } from "@/db/queries/auth";
import { apiTokens } from "@/db/schema";
import type { Role } from "@/db/schema/auth";
import { recordAudit } from "@/lib/audit";
import { type Actor, actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { authorize, parseOrThrow } from "./authorize";
import { roleAtLeast } from "./roles";
import { createApiTokenInput } from "./schemas";
import { generateSecret } from "./secrets";
import { API_TOKEN_PREFIX } from "./sessions";
import { MAX_TOKEN_CHAIN, tokenStanding } from "./token-chain";

interface TokenMaker {
  /** The maker's rights as they are now, not as they were when the request was authenticated. */
  role: Role;
  ownerUserId: string | null;
  parentTokenId: string | null;
  /** A minted token dies with its chain anyway; its own expiry says so. */
  expiresAt: Date | null;
}

async function tokenMaker(tx: Tx, actor: Actor): Promise<TokenMaker> {
  if (actor.type === "user") {
    const user = await findUserById(tx, actor.userId);
    if (!user || user.disabledAt) throw new AppError("UNAUTHENTICATED", "Your account is disabled; sign in again");
    return { role: user.role, ownerUserId: user.id, parentTokenId: null, expiresAt: null };
  }
  if (actor.type === "api_token") {
    const chain = await findApiTokenChain(tx, { tokenId: actor.tokenId });
    const standing = tokenStanding(chain.links, chain.owner);
    if (!standing.live) throw new AppError("UNAUTHENTICATED", `This API token can no longer act: ${standing.why}`);
    if (chain.links.length >= MAX_TOKEN_CHAIN) {
      throw new AppError("CONFLICT", `A token minted from tokens may be at most ${MAX_TOKEN_CHAIN} deep; mint this one from a token nearer its owner`);
    }
    const expiries = chain.links.flatMap((link) => (link.expiresAt ? [link.expiresAt.getTime()] : []));
    return {
      role: standing.role,
      ownerUserId: chain.links[0]?.ownerUserId ?? null,
      parentTokenId: actor.tokenId,
      expiresAt: expiries.length > 0 ? new Date(Math.min(...expiries)) : null,
    };
  }
  return { role: "admin", ownerUserId: null, parentTokenId: null, expiresAt: null };
}

/**
 * Mints an API token. It hangs under whoever made it: a person owns it, a token's token joins that
 * token's chain, and the operator at the shell begins chains of its own. Its rights are bounded by
 * that chain for as long as it lives (see token-chain.ts).
 */
export async function createApiToken({ ctx, input }: { ctx: Ctx; input: unknown }) {
  authorize(ctx, "admin", "create API tokens");
  const { name, role, expiresInDays } = parseOrThrow(createApiTokenInput, input);
  const token = generateSecret(API_TOKEN_PREFIX);
  const asked = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  return ctx.db.transaction(async (tx) => {
    const maker = await tokenMaker(tx, ctx.actor);
    // The maker's rights may have fallen since the request was authenticated. Minting needs admin, the
    // highest role, so no token is ever made above its maker; authentication bounds it from then on.
    if (!roleAtLeast(maker.role, "admin")) throw new AppError("FORBIDDEN", `Your role is now ${maker.role}; creating API tokens needs admin`);
    const expiresAt = asked && maker.expiresAt ? new Date(Math.min(asked.getTime(), maker.expiresAt.getTime())) : (asked ?? maker.expiresAt);
    const [created] = await tx
      .insert(apiTokens)
      .values({
        name,
        role,
        tokenHash: token.hash,
        tokenPrefix: token.displayPrefix,
        createdBy: actorId(ctx.actor),
        ownerUserId: maker.ownerUserId,
        parentTokenId: maker.parentTokenId,
        expiresAt,
      })
      .returning({ id: apiTokens.id });
    await recordAudit(tx, ctx, {
      action: "api_token.create",
      targetType: "api_token",
      targetId: created?.id ?? "",
      after: {
        name,
        role,
        prefix: token.displayPrefix,
        expires_at: expiresAt?.toISOString() ?? null,
        owner_user_id: maker.ownerUserId,
        parent_token_id: maker.parentTokenId,
      },
    });
    return { id: created?.id ?? "", name, role, token: token.secret, expires_at: expiresAt?.toISOString() ?? null };
  });
}

/** Revokes a token and every token minted from it, directly or not. */
export async function revokeApiToken({ ctx, input }: { ctx: Ctx; input: { tokenId: string; reason?: string } }) {
  authorize(ctx, "admin", "revoke API tokens");
  const tokenId = parseOrThrow(z.uuid({ message: "tokenId: expected a token id (UUID)" }), input.tokenId);
  return ctx.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(apiTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id, name: apiTokens.name, role: apiTokens.role });
    if (!revoked) throw new AppError("NOT_FOUND", `No live API token ${tokenId}`);
    const descendants = await revokeTokens(tx, await findDescendantTokenIds(tx, revoked.id));
    await recordAudit(tx, ctx, {
      action: "api_token.revoke",
      targetType: "api_token",
      targetId: revoked.id,
      reason: input.reason ?? null,
      before: { name: revoked.name, role: revoked.role, revoked: false },
      after: { revoked: true, ...(descendants.length > 0 ? { descendants_revoked: descendants } : {}) },
    });
    return { id: revoked.id, revoked: true as const, descendants_revoked: descendants };
  });
}

/** Marks these tokens revoked (those not already); returns the ids it revoked. */
async function revokeTokens(tx: Tx, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(inArray(apiTokens.id, ids), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.map((r) => r.id);
}
