import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";

/** Retention's part in detection's tables: the hourly finding counts and the findings older than the cutoff. Returns how many findings went. */
export async function forgetFindingsBefore(tx: Tx, cutoffIso: string): Promise<number> {
  await tx.execute(sql`DELETE FROM findings_hourly WHERE hour < ${cutoffIso}::timestamptz`);
  const findings = await tx.execute(sql`DELETE FROM findings WHERE event_at < ${cutoffIso}::timestamptz`);
  return findings.rowCount ?? 0;
}
