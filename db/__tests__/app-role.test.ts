import { randomUUID } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { appConnection, ensureAppRole, withLogin } from "@/db/app-role";
import { appDb, createDb, type Db, type Queryable, type Tx } from "@/db/client";
import { readDatabaseRole } from "@/db/queries/database-role";
import { readRetentionFloor } from "@/db/queries/events";
import { databaseRoleWarning } from "@/lib/audit";
import { createUser } from "@/lib/auth";
import { errorCode } from "@/lib/errors";
import { ensureDayPartitions, listPartitions, partitionDay, partitionName } from "@/lib/ingest/partitions";
import { migrateDatabase } from "@/lib/migrate-database";
import { testCtx, withOwnerDb } from "@/scripts/testing/fixtures";
import { TEST_RETENTION_DAYS, testSocSecret } from "@/scripts/testing/infra";

const DAY = 86_400_000;
const today = () => partitionName(Date.now() - (Date.now() % DAY));

async function sqlState(db: Queryable, statement: SQL): Promise<string | null> {
  return db.execute(statement).then(
    () => "succeeded",
    (err: unknown) => errorCode(err),
  );
}

/** Runs `use` in a transaction that is always rolled back, so a test that proves something may happen leaves nothing behind. */
async function inRolledBack(db: Db, use: (tx: Tx) => Promise<void>): Promise<void> {
  const rollback = new Error("rollback");
  await db
    .transaction(async (tx) => {
      await use(tx);
      throw rollback;
    })
    .catch((err: unknown) => {
      if (err !== rollback) throw err;
    });
}

describe("the console's own database role", () => {
  it("is not the owner, and may only read and append to the audit log", async () => {
    const db = appDb();
    await createUser({ ctx: testCtx(), input: { email: `role-${randomUUID().slice(0, 8)}@example.com`, role: "viewer" } });
    const login = (await db.execute<{ login: string }>(sql`SELECT current_user AS login`)).rows[0]?.login;
    expect(login).toMatch(/_app$/);
    for (const statement of [
      sql`UPDATE audit_log SET reason = 'nothing to see' WHERE id = (SELECT max(id) FROM audit_log)`,
      sql`DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)`,
      sql`TRUNCATE audit_log`,
      sql`ALTER TABLE audit_log DROP CONSTRAINT audit_log_id_positive`,
      sql`DROP TABLE audit_log`,
    ]) {
      expect(await sqlState(db, statement)).toBe("42501");
    }
  });

  it("cannot switch off the evidence trigger, nor change or erase evidence", async () => {
    const db = appDb();
    for (const statement of [
      sql`SET session_replication_role = replica`,
      sql`ALTER TABLE evidence_snapshots DISABLE TRIGGER evidence_snapshots_frozen`,
      sql`DROP TRIGGER evidence_snapshots_frozen ON evidence_snapshots`,
      sql`UPDATE evidence_snapshots SET event_count = 0`,
      sql`DELETE FROM evidence_snapshots`,
      sql`TRUNCATE evidence_snapshots`,
    ]) {
      expect(await sqlState(db, statement)).toBe("42501");
    }
    // The owner can, which is why the console must not be the owner.
    await withOwnerDb((owner) =>
      inRolledBack(owner, async (tx) => {
        await tx.execute(sql`SET LOCAL session_replication_role = replica`);
        await tx.execute(sql`DELETE FROM evidence_snapshots`);
      }),
    );
  });

  it("cannot change or erase the histories of kill switches and incidents", async () => {
    for (const table of ["kill_switch_history", "incident_activity"]) {
      expect(await sqlState(appDb(), sql.raw(`UPDATE ${table} SET id = id WHERE false`))).toBe("42501");
      expect(await sqlState(appDb(), sql.raw(`DELETE FROM ${table} WHERE false`))).toBe("42501");
    }
  });

  it("cannot change or erase stored events, not even through a partition of its own day", async () => {
    const db = appDb();
    for (const statement of [
      sql`UPDATE events SET input_summary = '' WHERE false`,
      sql`DELETE FROM events WHERE false`,
      sql`TRUNCATE events`,
      sql.raw(`DELETE FROM ${today()} WHERE false`),
      sql.raw(`DROP TABLE ${today()}`),
      sql`CREATE TABLE events_p29991231 (LIKE events)`,
    ]) {
      expect(await sqlState(db, statement)).toBe("42501");
    }
  });

  it("drops event partitions only through the retention function, which keeps the last day and touches nothing else", async () => {
    const db = appDb();
    await inRolledBack(db, async (tx) => {
      const auditRows = (await tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log`)).rows[0]?.n;
      const dropped = (await tx.execute<{ name: string }>(sql`SELECT name FROM agentsoc_drop_event_partitions_before('infinity') AS name`)).rows.map(
        (r) => r.name,
      );
      expect(dropped.every((name) => /^events_p\d{8}$/.test(name))).toBe(true);
      expect(dropped).not.toContain(today());
      expect(dropped).not.toContain(partitionName(Date.now() - (Date.now() % DAY) - DAY));
      const left = await tx.execute<{ name: string }>(
        sql`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass`,
      );
      expect(left.rows.map((r) => r.name)).toContain(today());
      expect((await tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log`)).rows[0]?.n).toBe(auditRows);
    });
  });

  it("cannot drop, through the retention function, a partition younger than the retention the owner configured", async () => {
    const db = appDb();
    const todayStart = Date.now() - (Date.now() % DAY);
    const youngest = todayStart - (TEST_RETENTION_DAYS - 1) * DAY;
    const expired = todayStart - (TEST_RETENTION_DAYS + 5) * DAY;
    await ensureDayPartitions(db, [expired, youngest, todayStart - 2 * DAY]);
    await inRolledBack(db, async (tx) => {
      const dropped = (
        await tx.execute<{ name: string }>(sql`SELECT name FROM agentsoc_drop_event_partitions_before(now() + interval '100 years') AS name`)
      ).rows.map((r) => r.name);
      const windowStart = todayStart - TEST_RETENTION_DAYS * DAY;
      expect(dropped.filter((name) => (partitionDay(name) ?? 0) + DAY > windowStart)).toEqual([]);
      expect(dropped).toContain(partitionName(expired));
      expect(await listPartitions(tx)).toEqual(expect.arrayContaining([partitionName(youngest), partitionName(todayStart - 2 * DAY)]));
    });
  });

  it("may read the retention floor but not change it, nor call the owner's function that goes below it", async () => {
    const db = appDb();
    expect(await readRetentionFloor(db)).toBe(TEST_RETENTION_DAYS);
    for (const statement of [
      sql`UPDATE retention_policy SET retention_days = 1`,
      sql`DELETE FROM retention_policy`,
      sql`TRUNCATE retention_policy`,
      sql`INSERT INTO retention_policy (id, retention_days) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET retention_days = 1`,
      sql`SELECT agentsoc_drop_event_partitions_keeping(1, 'infinity')`,
    ]) {
      expect(await sqlState(db, statement)).toBe("42501");
    }
    expect(await readRetentionFloor(db)).toBe(TEST_RETENTION_DAYS);
  });

  it("follows the retention each migration sets, lowered or raised", async () => {
    const db = appDb();
    const todayStart = Date.now() - (Date.now() % DAY);
    const twelveDaysAgo = todayStart - 12 * DAY;
    const thirtyFiveDaysAgo = todayStart - 35 * DAY;
    const droppedByApp = async () => {
      await ensureDayPartitions(db, [twelveDaysAgo, thirtyFiveDaysAgo]);
      let dropped: string[] = [];
      await inRolledBack(db, async (tx) => {
        dropped = (await tx.execute<{ name: string }>(sql`SELECT name FROM agentsoc_drop_event_partitions_before('infinity') AS name`)).rows.map((r) => r.name);
      });
      return dropped;
    };
    const migrateWith = (retentionDays: number) =>
      withOwnerDb((owner) => migrateDatabase(owner, { retentionDays, appRole: { kind: "own", secret: testSocSecret() } }));
    try {
      await migrateWith(10);
      expect(await readRetentionFloor(db)).toBe(10);
      expect(await droppedByApp()).toEqual(expect.arrayContaining([partitionName(twelveDaysAgo), partitionName(thirtyFiveDaysAgo)]));
      await migrateWith(40);
      expect(await readRetentionFloor(db)).toBe(40);
      const dropped = await droppedByApp();
      expect(dropped).not.toContain(partitionName(twelveDaysAgo));
      expect(dropped).not.toContain(partitionName(thirtyFiveDaysAgo));
    } finally {
      await migrateWith(TEST_RETENTION_DAYS);
    }
  });

  it("loses at the next migration any privilege granted by hand, and keeps its login", async () => {
    const db = appDb();
    const login = (await db.execute<{ login: string }>(sql`SELECT current_user AS login`)).rows[0]?.login ?? "";
    expect(login).toMatch(/_app$/);
    await withOwnerDb(async (owner) => {
      await owner.execute(sql.raw(`GRANT UPDATE, TRUNCATE ON audit_log TO ${pg.escapeIdentifier(login)}`));
      expect(databaseRoleWarning(await readDatabaseRole(db))).toContain("may UPDATE, DELETE or TRUNCATE audit_log");
      await owner.execute(sql.raw(`GRANT EXECUTE ON FUNCTION agentsoc_drop_event_partitions_keeping(integer, timestamptz) TO ${pg.escapeIdentifier(login)}`));
      await owner.execute(sql.raw(`GRANT UPDATE ON retention_policy TO ${pg.escapeIdentifier(login)}`));
      expect(databaseRoleWarning(await readDatabaseRole(db))).toContain("may lower the retention floor");
      const setup = await ensureAppRole(owner, { kind: "own", secret: testSocSecret() });
      expect(setup).toMatchObject({ role: login, status: "ready" });
    });
    expect(await sqlState(db, sql`UPDATE audit_log SET reason = 'x' WHERE false`)).toBe("42501");
    expect(await sqlState(db, sql`UPDATE retention_policy SET retention_days = retention_days`)).toBe("42501");
    expect(await sqlState(db, sql`SELECT agentsoc_drop_event_partitions_keeping(1, '-infinity')`)).toBe("42501");
    const fresh = createDb(inject("databaseUrl"), 1);
    try {
      expect(databaseRoleWarning(await readDatabaseRole(fresh.db))).toBeNull();
    } finally {
      await fresh.close();
    }
  });
});

describe("the start-up check of the console's database role", () => {
  it("finds nothing to say about the least-privilege role, and names what an owner or superuser may do", async () => {
    expect(databaseRoleWarning(await readDatabaseRole(appDb()))).toBeNull();
    const facts = await withOwnerDb((owner) => readDatabaseRole(owner));
    expect(facts).toMatchObject({ superuser: true, ownsTables: true, auditChangeable: true, evidenceChangeable: true, maySwitchOffTriggers: true });
    expect(databaseRoleWarning(facts)).toMatch(/^The console connects to PostgreSQL as "[^"]+", which is a superuser/);
  });
});

describe("an owner that may not create roles (a managed database)", () => {
  it("leaves the console on the owner's login with a warning, and grants a role the operator made", async () => {
    const suffix = randomUUID().slice(0, 8);
    const database = `agentsoc_managed_${suffix}`;
    const ownerRole = `agentsoc_managed_owner_${suffix}`;
    const appRole = `agentsoc_managed_app_${suffix}`;
    const admin = new pg.Client({ connectionString: inject("ownerDatabaseUrl") });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${ownerRole} LOGIN PASSWORD 'owner-${suffix}'`);
      await admin.query(`CREATE DATABASE ${database} OWNER ${ownerRole}`);
      const ownerUrl = (() => {
        const u = new URL(withLogin(inject("ownerDatabaseUrl"), ownerRole, `owner-${suffix}`));
        u.pathname = `/${database}`;
        return u.toString();
      })();
      const owner = createDb(ownerUrl, 1);
      try {
        const setup = await migrateDatabase(owner.db, { retentionDays: 3, appRole: { kind: "own", secret: testSocSecret() } });
        expect(setup).toEqual({ role: `${database}_app`, status: "missing", password: null });
        const fallback = appConnection(ownerUrl, setup, undefined);
        expect(fallback.url).toBe(ownerUrl);
        expect(fallback.warning).toContain(`this login may not create the role ${database}_app`);

        // The operator makes the role with the database's own tools and names it in SOC_APP_DATABASE_URL.
        await admin.query(`CREATE ROLE ${appRole} LOGIN PASSWORD 'app-${suffix}'`);
        const appUrl = withLogin(ownerUrl, appRole, `app-${suffix}`);
        const granted = await migrateDatabase(owner.db, { retentionDays: 3, appRole: { kind: "given", name: appRole } });
        expect(granted).toEqual({ role: appRole, status: "ready", password: null });
        expect(appConnection(ownerUrl, granted, appUrl)).toEqual({ url: appUrl, warning: null });

        const app = createDb(appUrl, 1);
        try {
          expect(databaseRoleWarning(await readDatabaseRole(app.db))).toBeNull();
          await app.db.execute(sql`INSERT INTO agents (id, display_name) VALUES ('managed-agent', 'Managed')`);
          expect(await sqlState(app.db, sql`DELETE FROM audit_log`)).toBe("42501");
          await app.db.execute(sql`SELECT agentsoc_create_event_partition('2999-12-31')`);
        } finally {
          await app.close();
        }
      } finally {
        await owner.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${appRole}`);
      await admin.query(`DROP ROLE IF EXISTS ${ownerRole}`);
      await admin.end();
    }
  }, 60_000);
});
