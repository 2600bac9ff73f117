import { createHash, createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { errorCode } from "@/lib/errors";
import type { Db } from "./client";
import { scramSha256Verifier } from "./scram-verifier";

/**
 * The running console connects as a role of its own that may read and write its tables but cannot
 * rewrite or erase the record: these tables (the audit log, evidence, stored events, and the
 * histories of kill switches and incidents) it may only read and append to, and the owner's settings
 * (the retention floor) it may only read. Event partitions come and go through the two SECURITY
 * DEFINER functions of migrations 0007 and 0009, which it may call; the second never drops a
 * partition younger than the retention floor.
 */
export const APPEND_ONLY_TABLES = ["audit_log", "evidence_snapshots", "events", "kill_switch_history", "incident_activity", "agent_policy_versions"] as const;
export const READ_ONLY_TABLES = ["retention_policy"] as const;
const PARTITION_FUNCTIONS = ["public.agentsoc_create_event_partition(date)", "public.agentsoc_drop_event_partitions_before(timestamptz)"];
const SAFE_ATTRIBUTES = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
const MAX_IDENTIFIER_BYTES = 63;

export type AppRoleSpec =
  /** The console's own `<database>_app`, created and kept here, its password derived from the secret (never stored). */
  | { kind: "own"; secret: string | null }
  /** A role the operator made and named in SOC_APP_DATABASE_URL: only its privileges are set here. */
  | { kind: "given"; name: string };

export interface AppRoleSetup {
  role: string;
  /** ready: the role exists and has exactly the console's privileges; missing: it does not exist and this login may not create it; owner: it is this login. */
  status: "ready" | "missing" | "owner";
  /** The password just set on the console's own role; null when none was set. */
  password: string | null;
}

/** One role per database, so two consoles on one cluster never share grants. */
export function appRoleName(database: string): string {
  const name = `${database}_app`;
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  return `agentsoc_${createHash("sha256").update(database).digest("hex").slice(0, 16)}_app`;
}

/** Derived from the console's secret, so every launcher of this console knows it and nothing stores it. */
export function appRolePassword(secret: string, role: string): string {
  return createHmac("sha256", secret).update(`agentsoc database role\n${role}`).digest("base64url");
}

/** Which role the app uses: the one SOC_APP_DATABASE_URL names, else the console's own. */
export function appRoleSpec(appDatabaseUrl: string | undefined, secret: string | null): AppRoleSpec {
  if (!appDatabaseUrl) return { kind: "own", secret };
  const name = decodeURIComponent(new URL(appDatabaseUrl).username);
  if (!name) throw new Error("SOC_APP_DATABASE_URL must name its user: postgres://<role>:<password>@host/database");
  return { kind: "given", name };
}

/** Creates or updates the app role when this login may, and sets its privileges; run by every migration. */
export async function ensureAppRole(db: Db, spec: AppRoleSpec): Promise<AppRoleSetup> {
  return db.transaction(async (tx) => {
    // Concurrent GRANTs on one table fail ("tuple concurrently updated"): one migration at a time per database.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('agentsoc:app_role'))`);
    const [me] = (
      await tx.execute<{ login: string; database: string; superuser: boolean; may_create_roles: boolean }>(sql`
        SELECT current_user AS login, current_database() AS database, rolsuper AS superuser, rolsuper OR rolcreaterole AS may_create_roles
        FROM pg_roles WHERE rolname = current_user`)
    ).rows;
    if (!me) throw new Error("cannot read this login's own role from pg_roles");
    const role = spec.kind === "given" ? spec.name : appRoleName(me.database);
    if (role === me.login) return { role, status: "owner", password: null };
    const exists = (await tx.execute(sql`SELECT 1 FROM pg_roles WHERE rolname = ${role}`)).rows.length > 0;
    const ident = pg.escapeIdentifier(role);

    let password: string | null = null;
    if (spec.kind === "own" && me.may_create_roles) {
      password = spec.secret ? appRolePassword(spec.secret, role) : null;
      // The verifier, not the password, goes to the server: statement logs never hold it.
      const setPassword = password ? ` PASSWORD ${pg.escapeLiteral(scramSha256Verifier(password))}` : "";
      if (!exists) {
        await tx.execute(sql.raw(`CREATE ROLE ${ident} LOGIN ${SAFE_ATTRIBUTES}${setPassword}`));
      } else {
        // Only a superuser may change the superuser, replication and bypassrls attributes.
        const altered = await tx
          .transaction((sp) => sp.execute(sql.raw(`ALTER ROLE ${ident} LOGIN${me.superuser ? ` ${SAFE_ATTRIBUTES}` : ""}${setPassword}`)))
          .then(
            () => true,
            (err: unknown) => {
              if (errorCode(err) !== "42501") throw err;
              return false;
            },
          );
        if (!altered) password = null;
      }
    } else if (!exists) {
      return { role, status: "missing", password: null };
    }

    const tables = (
      await tx.execute<{ name: string }>(sql`
        SELECT c.relname AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`)
    ).rows.map((r) => r.name);
    const appendOnly: readonly string[] = APPEND_ONLY_TABLES;
    const readOnlyTables: readonly string[] = READ_ONLY_TABLES;
    const list = (names: string[]) => names.map((n) => `public.${pg.escapeIdentifier(n)}`).join(", ");
    const readWrite = tables.filter((t) => !appendOnly.includes(t) && !readOnlyTables.includes(t));
    const readAppend = tables.filter((t) => appendOnly.includes(t));
    const readOnly = tables.filter((t) => readOnlyTables.includes(t));
    // Start from nothing, so a privilege granted by hand (TRUNCATE, a partition, an owner-only function) does not survive a migration.
    await tx.execute(sql.raw(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${ident}`));
    await tx.execute(sql.raw(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${ident}`));
    await tx.execute(sql.raw(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ${ident}`));
    if (readWrite.length) await tx.execute(sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${list(readWrite)} TO ${ident}`));
    if (readAppend.length) await tx.execute(sql.raw(`GRANT SELECT, INSERT ON ${list(readAppend)} TO ${ident}`));
    if (readOnly.length) await tx.execute(sql.raw(`GRANT SELECT ON ${list(readOnly)} TO ${ident}`));
    await tx.execute(sql.raw(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${ident}`));
    await tx.execute(sql.raw(`GRANT USAGE ON SCHEMA public TO ${ident}`));
    await tx.execute(sql.raw(`GRANT CONNECT ON DATABASE ${pg.escapeIdentifier(me.database)} TO ${ident}`));
    await tx.execute(sql.raw(`GRANT EXECUTE ON FUNCTION ${PARTITION_FUNCTIONS.join(", ")} TO ${ident}`));
    return { role, status: "ready", password };
  });
}

/** The owner's URL with the app role's login in place of the owner's. */
export function withLogin(ownerUrl: string, role: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = password;
  url.searchParams.delete("user");
  url.searchParams.delete("password");
  return url.toString();
}

/**
 * The URL the console's server connects with: the operator's SOC_APP_DATABASE_URL, else the console's
 * own role. When neither can be had, the owner's, with a warning saying what to do.
 */
export function appConnection(ownerUrl: string, setup: AppRoleSetup, appDatabaseUrl: string | undefined): { url: string; warning: string | null } {
  if (appDatabaseUrl) {
    const warning =
      setup.status === "missing"
        ? `the role ${setup.role} named by SOC_APP_DATABASE_URL does not exist: create it (docs/security.md, "Database role"), then run the migration again`
        : setup.status === "owner"
          ? `SOC_APP_DATABASE_URL logs in as ${setup.role}, the owner of the tables: it can rewrite the audit log`
          : null;
    return { url: appDatabaseUrl, warning };
  }
  if (setup.status === "ready" && setup.password) return { url: withLogin(ownerUrl, setup.role, setup.password), warning: null };
  const why =
    setup.status === "missing"
      ? `this login may not create the role ${setup.role}: create it yourself and set SOC_APP_DATABASE_URL (docs/security.md, "Database role")`
      : setup.status === "owner"
        ? `DATABASE_URL logs in as ${setup.role} itself`
        : `no password was set on ${setup.role} (no SOC_SECRET, or this login may not change that role): set SOC_APP_DATABASE_URL to its login (docs/security.md, "Database role")`;
  return { url: ownerUrl, warning: `the console runs with the owner's rights, which can rewrite the audit log: ${why}` };
}
