import path from "node:path";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { createWindowPartitions } from "@/lib/ingest/partitions";
import type { Db } from "./client";

/** Applies the committed migrations in drizzle/ and creates the event partitions of the retention window. */
export async function migrateDatabase(db: Db, opts: { retentionDays: number; nowMs?: number }): Promise<void> {
  await migrate(db, { migrationsFolder: path.join(process.cwd(), "drizzle") });
  await createWindowPartitions(db, opts.nowMs ?? Date.now(), opts.retentionDays);
}
