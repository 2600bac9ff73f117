import type { Queryable } from "@/db/client";
import { installation } from "@/db/schema";

/** This database's installation id (made by its migration). */
export async function readInstallationId(db: Queryable): Promise<string> {
  const [row] = await db.select({ id: installation.installationId }).from(installation);
  if (!row) throw new Error("the installation table has no row: run the migrations (npm run soc -- migrate)");
  return row.id;
}
