import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { auditLog } from "@/db/schema";
import { invalidQuery, queryBounds, timeRangeQueryShape } from "@/lib/time-range-query";

export const auditFiltersSchema = z.object({
  actor: z.string().max(300).optional(),
  action: z.string().max(100).optional(),
  target_type: z.string().max(100).optional(),
  target_id: z.string().max(300).optional(),
  ...timeRangeQueryShape,
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before_id: z.coerce.number().int().positive().optional(),
});

export type AuditFilters = Omit<z.infer<typeof auditFiltersSchema>, "range" | "since" | "until"> & { since?: Date | undefined; until?: Date | undefined };

export function parseAuditFilters(params: URLSearchParams | Record<string, string | undefined>, nowMs = Date.now()): AuditFilters {
  const entries = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  const parsed = auditFiltersSchema.safeParse(Object.fromEntries(Object.entries(entries).filter(([, v]) => v)));
  if (!parsed.success) throw invalidQuery(parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  const { range, since, until, ...rest } = parsed.data;
  return { ...rest, ...queryBounds({ range, since, until }, nowMs) };
}

export interface AuditView {
  id: number;
  at: string;
  actor_type: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  reason: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  source_ip: string | null;
  hash: string;
}

/** Newest first; `next_before_id` pages back. */
export async function listAudit(db: Queryable, f: AuditFilters): Promise<{ entries: AuditView[]; next_before_id: number | null }> {
  const where: (SQL | undefined)[] = [
    f.actor ? eq(auditLog.actorId, f.actor) : undefined,
    f.action ? eq(auditLog.action, f.action) : undefined,
    f.target_type ? eq(auditLog.targetType, f.target_type) : undefined,
    f.target_id ? eq(auditLog.targetId, f.target_id) : undefined,
    f.since ? gte(auditLog.at, f.since) : undefined,
    f.until ? lte(auditLog.at, f.until) : undefined,
    f.before_id ? lt(auditLog.id, f.before_id) : undefined,
  ];
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor_type: r.actorType,
      actor: r.actorId,
      action: r.action,
      target_type: r.targetType,
      target_id: r.targetId,
      reason: r.reason,
      before: r.before,
      after: r.after,
      request_id: r.requestId,
      source_ip: r.sourceIp,
      hash: r.hash,
    })),
    next_before_id: rows.length > f.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export interface AuditChainHead {
  /** The newest row's number, which is also the chain's length: ids run from 1 without gaps. */
  id: number;
  hash: string;
  at: string;
}

/** The newest row of the audit log's hash chain, for outside systems to record (on /metrics and the audit page). */
export async function readAuditChainHead(db: Queryable): Promise<AuditChainHead | null> {
  const [head] = await db.select({ id: auditLog.id, hash: auditLog.hash, at: auditLog.at }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  return head ? { id: head.id, hash: head.hash, at: head.at.toISOString() } : null;
}
