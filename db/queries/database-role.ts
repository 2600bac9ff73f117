import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { errorCode } from "@/lib/errors";

/** What the console's own database login may do to the record it keeps. */
export interface DatabaseRoleFacts {
  role: string;
  superuser: boolean;
  createRole: boolean;
  /** Owner of the tables (or a member of the owner): it may alter or drop them and switch off their triggers. */
  ownsTables: boolean;
  /** May UPDATE, DELETE or TRUNCATE audit_log. */
  auditChangeable: boolean;
  /** May UPDATE, DELETE or TRUNCATE evidence_snapshots. */
  evidenceChangeable: boolean;
  /** May change the retention floor, or call the owner's function that drops events younger than it. */
  retentionFloorChangeable: boolean;
  /** May SET session_replication_role, which switches off the evidence trigger for its session. */
  maySwitchOffTriggers: boolean;
}

const PROBE_ONLY = new Error("probe only: rolled back");

/** Tried, not inferred: the rights to this setting differ between PostgreSQL versions. */
async function maySwitchOffTriggers(db: Db): Promise<boolean> {
  let allowed = false;
  await db
    .transaction(async (tx) => {
      allowed = await tx.execute(sql`SET LOCAL session_replication_role = replica`).then(
        () => true,
        (err: unknown) => {
          if (errorCode(err) === "42501") return false;
          throw err;
        },
      );
      throw PROBE_ONLY;
    })
    .catch((err: unknown) => {
      if (err !== PROBE_ONLY) throw err;
    });
  return allowed;
}

export async function readDatabaseRole(db: Db): Promise<DatabaseRoleFacts> {
  const [row] = (
    await db.execute<{
      role: string;
      superuser: boolean;
      create_role: boolean;
      owns_tables: boolean;
      audit_changeable: boolean;
      evidence_changeable: boolean;
      retention_floor_changeable: boolean;
    }>(sql`
      SELECT current_user AS role, r.rolsuper AS superuser, r.rolcreaterole AS create_role,
        pg_has_role(current_user, c.relowner, 'USAGE') AS owns_tables,
        has_table_privilege('public.audit_log', 'UPDATE, DELETE, TRUNCATE') AS audit_changeable,
        has_table_privilege('public.evidence_snapshots', 'UPDATE, DELETE, TRUNCATE') AS evidence_changeable,
        has_table_privilege('public.retention_policy', 'INSERT, UPDATE, DELETE, TRUNCATE')
          OR has_function_privilege('public.agentsoc_drop_event_partitions_keeping(integer, timestamptz)', 'EXECUTE') AS retention_floor_changeable
      FROM pg_roles r JOIN pg_class c ON c.oid = 'public.audit_log'::regclass
      WHERE r.rolname = current_user`)
  ).rows;
  if (!row) throw new Error("cannot read the console's own role from pg_roles");
  return {
    role: row.role,
    superuser: row.superuser,
    createRole: row.create_role,
    ownsTables: row.owns_tables,
    auditChangeable: row.audit_changeable,
    evidenceChangeable: row.evidence_changeable,
    retentionFloorChangeable: row.retention_floor_changeable,
    maySwitchOffTriggers: await maySwitchOffTriggers(db),
  };
}
