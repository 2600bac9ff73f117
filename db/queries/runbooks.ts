import { and, asc, desc, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { runbooks, runbookVersions } from "@/db/schema";
import type { RunbookDefinition } from "@/lib/runbooks";

export interface StoredRunbook {
  id: string;
  name: string;
  version: number;
  source: string;
  definition: RunbookDefinition;
  createdBy: string;
  createdAt: Date;
}

const columns = {
  id: runbooks.id,
  name: runbooks.name,
  version: runbookVersions.version,
  source: runbookVersions.source,
  definition: runbookVersions.definition,
  createdBy: runbookVersions.createdBy,
  createdAt: runbookVersions.createdAt,
};

/** A runbook at a version (default: its latest). */
export async function getRunbook(db: Queryable, by: { id: string } | { name: string }, version?: number): Promise<StoredRunbook | null> {
  const [row] = await db
    .select(columns)
    .from(runbooks)
    .innerJoin(runbookVersions, eq(runbookVersions.runbookId, runbooks.id))
    .where(
      and(
        "id" in by ? eq(runbooks.id, by.id) : eq(runbooks.name, by.name),
        version === undefined ? eq(runbookVersions.version, runbooks.latestVersion) : eq(runbookVersions.version, version),
      ),
    );
  return row ?? null;
}

/** Every runbook at its latest version, by name. */
export async function listRunbooks(db: Queryable): Promise<StoredRunbook[]> {
  return db
    .select(columns)
    .from(runbooks)
    .innerJoin(runbookVersions, and(eq(runbookVersions.runbookId, runbooks.id), eq(runbookVersions.version, runbooks.latestVersion)))
    .orderBy(asc(runbooks.name), desc(runbookVersions.version));
}
