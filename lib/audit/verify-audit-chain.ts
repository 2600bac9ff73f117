import { asc, gt } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { auditLog } from "@/db/schema";
import { socSecret } from "@/lib/env";
import { type ChainProblem, checkChainLink } from "./chain";

export interface ChainReport {
  rowsChecked: number;
  problem: ChainProblem | null;
}

/** Walks the whole audit log in order and stops at the first row that was altered or removed. */
export async function verifyAuditChain(db: Queryable, pageSize = 1000, key: string | null = socSecret()): Promise<ChainReport> {
  let previous = null as { id: number; hash: string } | null;
  let rowsChecked = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.id, previous?.id ?? 0))
      .orderBy(asc(auditLog.id))
      .limit(pageSize);
    for (const row of rows) {
      const problem = checkChainLink(previous, row, key);
      if (problem) return { rowsChecked, problem };
      previous = { id: row.id, hash: row.hash };
      rowsChecked += 1;
    }
    if (rows.length < pageSize) return { rowsChecked, problem: null };
  }
}
