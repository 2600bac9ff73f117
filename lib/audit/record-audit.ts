import type { Tx } from "@/db/client";
import { auditLog } from "@/db/schema";
import { type Ctx, actorId } from "@/lib/context";

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Called inside the transaction of the change it records: a change without its audit row is a bug. */
export async function recordAudit(tx: Tx, ctx: Ctx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actorType: ctx.actor.type,
    actorId: actorId(ctx.actor),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    reason: entry.reason ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: ctx.requestId,
    sourceIp: ctx.sourceIp,
  });
}
