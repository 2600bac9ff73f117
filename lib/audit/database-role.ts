import type { Db } from "@/db/client";
import { type DatabaseRoleFacts, readDatabaseRole } from "@/db/queries/database-role";

/** What the console's database login may do that it must not, in words; empty when it has only what it needs. */
export function databaseRoleProblems(facts: DatabaseRoleFacts): string[] {
  if (facts.superuser) return ["is a superuser, so it may do anything to the audit log and evidence, including switching off their triggers"];
  return [
    facts.ownsTables ? "owns the console's tables, so it may alter or drop them and switch off their triggers" : "",
    facts.auditChangeable ? "may UPDATE, DELETE or TRUNCATE audit_log" : "",
    facts.evidenceChangeable ? "may UPDATE, DELETE or TRUNCATE evidence_snapshots" : "",
    facts.retentionFloorChangeable ? "may lower the retention floor (retention_policy) and so drop events younger than the retention window" : "",
    facts.maySwitchOffTriggers ? "may SET session_replication_role, which switches off the evidence trigger" : "",
    facts.createRole ? "may create and change roles" : "",
  ].filter(Boolean);
}

export function databaseRoleWarning(facts: DatabaseRoleFacts): string | null {
  const problems = databaseRoleProblems(facts);
  if (problems.length === 0) return null;
  return (
    `The console connects to PostgreSQL as "${facts.role}", which ${problems.join("; ")}. ` +
    `Whoever takes over the console could then rewrite or erase its audit log and evidence. ` +
    `Connect it as a least-privilege role: npm start sets one up itself (docs/security.md, "Database role").`
  );
}

let checked: Promise<string | null> | null = null;

/** Checked once per process (the role does not change under a running server); a failed check is tried again next time. */
export function checkDatabaseRole(db: Db): Promise<string | null> {
  checked ??= readDatabaseRole(db)
    .then(databaseRoleWarning)
    .catch((err: unknown) => {
      checked = null;
      throw err;
    });
  return checked;
}
