import { desc, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { auditLog } from "@/db/schema";
import { actorId, type Ctx } from "@/lib/context";
import { socSecret } from "@/lib/env";
import { storableJson, storableText } from "@/lib/storable-text";
import { auditRowHash, GENESIS_HASH } from "./chain";

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Normalised the way jsonb will give it back (storable text, keys included), so the hash computed now is the one verified later. */
const asStored = (value: unknown): unknown => (value === undefined || value === null ? null : storableJson(JSON.parse(JSON.stringify(value))));
const text = (value: string | null | undefined): string | null => (value == null ? null : storableText(value));

/**
 * Called inside the transaction of the change it records: a change without its audit row is a bug.
 * Audited transactions take turns on the chain's head (an advisory lock held to commit), so ids have
 * no gaps and each row links to the one committed before it.
 */
export async function recordAudit(tx: Tx, ctx: Ctx, entry: AuditEntry): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('agentsoc:audit_chain'))`);
  const [last] = await tx.select({ id: auditLog.id, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const row = {
    id: (last?.id ?? 0) + 1,
    at: new Date(),
    actorType: ctx.actor.type,
    actorId: storableText(actorId(ctx.actor)),
    action: storableText(entry.action),
    targetType: storableText(entry.targetType),
    targetId: storableText(entry.targetId),
    reason: text(entry.reason),
    before: asStored(entry.before),
    after: asStored(entry.after),
    requestId: text(ctx.requestId),
    sourceIp: text(ctx.sourceIp),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const key = socSecret();
  await tx.insert(auditLog).values({ ...row, prevHash, hashAlg: key ? "hmac-sha256" : "sha256", hash: auditRowHash(prevHash, row, key) });
}
