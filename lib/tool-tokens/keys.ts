import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { signingKeyGenerations } from "@/db/queries/tool-tokens";
import { toolTokenKeys } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { requireSocSecret } from "@/lib/notify/seal";
import { MAX_TTL_SECONDS, rotateSigningKeyBody } from "./schemas";
import { deriveToolTokenKey, type ToolTokenKey } from "./signing-key";

/** A retired key stays published this long: every token it signed has expired by then. */
const PUBLISHED_AFTER_RETIREMENT_MS = (MAX_TTL_SECONDS + 60) * 1000;
/** Another instance's rotation reaches this one within this long; the old key stays published meanwhile. */
const CACHE_MS = 5000;

export interface SigningKeys {
  current: ToolTokenKey;
  published: { key: ToolTokenKey; retiredAt: Date | null }[];
}

let cached: { at: number; keys: SigningKeys } | null = null;

function secret(): string {
  return requireSocSecret("sign tool tokens (the signing key is derived from SOC_SECRET)");
}

/** The key that signs now, and every key a verifier may still meet (the JWKS). */
export async function signingKeys(db: Db): Promise<SigningKeys> {
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.keys;
  const rows = await signingKeyGenerations(db);
  const s = secret();
  const nowMs = Date.now();
  const current = deriveToolTokenKey(s, rows[0]?.generation ?? 1);
  const published = [{ key: current, retiredAt: null as Date | null }];
  for (const row of rows.slice(1)) {
    if (row.retiredAt && nowMs - row.retiredAt.getTime() > PUBLISHED_AFTER_RETIREMENT_MS) break;
    published.push({ key: deriveToolTokenKey(s, row.generation), retiredAt: row.retiredAt });
  }
  const keys = { current, published };
  cached = { at: nowMs, keys };
  return keys;
}

export function forgetSigningKeys(): void {
  cached = null;
}

/**
 * Starts the next generation of the signing key (admin, audited). New tokens are signed with it at
 * once; the JWKS keeps the old key until the tokens it signed have expired, so nothing in flight breaks.
 */
export async function rotateSigningKey(ctx: Ctx, input: unknown): Promise<{ generation: number; kid: string; previous_kid: string }> {
  authorize(ctx, "admin", "rotate the tool-token signing key");
  const { reason } = parseOrThrow(rotateSigningKeyBody, input);
  const s = secret();
  const result = await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('agentsoc:tool-token-keys'))`);
    const rows = await signingKeyGenerations(tx);
    const previous = deriveToolTokenKey(s, rows[0]?.generation ?? 1);
    if (rows.length === 0) await tx.insert(toolTokenKeys).values({ generation: previous.generation, kid: previous.kid, createdBy: "installation" });
    await tx.update(toolTokenKeys).set({ retiredAt: sql`now()` }).where(sql`${toolTokenKeys.generation} = ${previous.generation}`);
    const next = deriveToolTokenKey(s, previous.generation + 1);
    await tx.insert(toolTokenKeys).values({ generation: next.generation, kid: next.kid, createdBy: actorId(ctx.actor) });
    await recordAudit(tx, ctx, {
      action: "tool_tokens.rotate_key",
      targetType: "tool_token_key",
      targetId: String(next.generation),
      reason,
      before: { generation: previous.generation, kid: previous.kid },
      after: { generation: next.generation, kid: next.kid },
    });
    return { generation: next.generation, kid: next.kid, previous_kid: previous.kid };
  });
  forgetSigningKeys();
  return result;
}
