import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { apiTokens } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { authorize, parseOrThrow } from "./authorize";
import { createApiTokenInput } from "./schemas";
import { generateSecret } from "./secrets";
import { API_TOKEN_PREFIX } from "./sessions";

export async function createApiToken({ ctx, input }: { ctx: Ctx; input: unknown }) {
  authorize(ctx, "admin", "create API tokens");
  const { name, role, expiresInDays } = parseOrThrow(createApiTokenInput, input);
  const token = generateSecret(API_TOKEN_PREFIX);
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  return ctx.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(apiTokens)
      .values({ name, role, tokenHash: token.hash, tokenPrefix: token.displayPrefix, createdBy: actorId(ctx.actor), expiresAt })
      .returning({ id: apiTokens.id });
    await recordAudit(tx, ctx, {
      action: "api_token.create",
      targetType: "api_token",
      targetId: created?.id ?? "",
      after: { name, role, prefix: token.displayPrefix, expires_at: expiresAt?.toISOString() ?? null },
    });
    return { id: created?.id ?? "", name, role, token: token.secret, expires_at: expiresAt?.toISOString() ?? null };
  });
}

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
    await recordAudit(tx, ctx, {
      action: "api_token.revoke",
      targetType: "api_token",
      targetId: revoked.id,
      reason: input.reason ?? null,
      before: { name: revoked.name, role: revoked.role, revoked: false },
      after: { revoked: true },
    });
    return { id: revoked.id, revoked: true };
  });
}
