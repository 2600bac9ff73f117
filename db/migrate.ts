import path from "node:path";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { createUpcomingPartitions } from "@/lib/ingest/partitions";
import type { Db } from "./client";

/** Applies the committed migrations in drizzle/ and makes sure the coming days' event partitions exist. */
export async function migrateDatabase(db: Db, nowMs = Date.now()): Promise<void> {
  await migrate(db, { migrationsFolder: path.join(process.cwd(), "drizzle") });
  await createUpcomingPartitions(db, nowMs);
}
