import { describe, expect, it } from "vitest";
import type { DatabaseRoleFacts } from "@/db/queries/database-role";
import { databaseRoleProblems, databaseRoleWarning } from "./database-role";

const leastPrivilege: DatabaseRoleFacts = {
  role: "agentsoc_app",
  superuser: false,
  createRole: false,
  ownsTables: false,
  auditChangeable: false,
  evidenceChangeable: false,
  retentionFloorChangeable: false,
  maySwitchOffTriggers: false,
};

describe("the console's database role, judged", () => {
  it("says nothing about a role with only what the console needs", () => {
    expect(databaseRoleProblems(leastPrivilege)).toEqual([]);
    expect(databaseRoleWarning(leastPrivilege)).toBeNull();
  });

  it("names each right that lets the record be rewritten, and says what to do", () => {
    for (const [fact, words] of [
      ["ownsTables", "owns the console's tables"],
      ["auditChangeable", "may UPDATE, DELETE or TRUNCATE audit_log"],
      ["evidenceChangeable", "may UPDATE, DELETE or TRUNCATE evidence_snapshots"],
      ["retentionFloorChangeable", "may lower the retention floor"],
      ["maySwitchOffTriggers", "may SET session_replication_role"],
      ["createRole", "may create and change roles"],
    ] as const) {
      expect(databaseRoleProblems({ ...leastPrivilege, [fact]: true })).toEqual([expect.stringContaining(words)]);
    }
    const warning = databaseRoleWarning({ ...leastPrivilege, role: "soc", auditChangeable: true, maySwitchOffTriggers: true });
    expect(warning).toMatch(/^The console connects to PostgreSQL as "soc", which may UPDATE, DELETE or TRUNCATE audit_log; may SET session_replication_role/);
    expect(warning).toContain('least-privilege role: npm start sets one up itself (docs/security.md, "Database role")');
  });

  it("says of a superuser only that it is one: it may do everything", () => {
    expect(databaseRoleProblems({ ...leastPrivilege, superuser: true, ownsTables: true, auditChangeable: true })).toEqual([
      expect.stringMatching(/^is a superuser/),
    ]);
  });
});
