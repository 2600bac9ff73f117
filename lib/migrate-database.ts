import path from "node:path";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { type AppRoleSetup, type AppRoleSpec, ensureAppRole } from "@/db/app-role";
import type { Db } from "@/db/client";
import { createWindowPartitions, setRetentionFloor } from "@/lib/ingest/partitions";

/**
 * Run with the owner's rights: applies the committed migrations in drizzle/, creates the event
 * partitions of the retention window, sets the retention floor the console's own login cannot go
 * below, and sets up the least-privilege role the running console uses.
 */
export async function migrateDatabase(db: Db, opts: { retentionDays: number; appRole: AppRoleSpec; nowMs?: number }): Promise<AppRoleSetup> {
  await migrate(db, { migrationsFolder: path.join(process.cwd(), "drizzle") });
  await createWindowPartitions(db, opts.nowMs ?? Date.now(), opts.retentionDays);
  await setRetentionFloor(db, opts.retentionDays);
  return ensureAppRole(db, opts.appRole);
}
