import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { env } from "@/lib/env";
import { describeError } from "@/lib/errors";
import * as schema from "./schema";

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything a query can run on: the pool-backed db or an open transaction. */
export type Queryable = Db | Tx;

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** `statementTimeoutMs` (0 or unset: none) cancels any statement that runs longer, server-side. */
export function createDb(connectionString: string, max = 10, opts: { statementTimeoutMs?: number } = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on("error", (err) => console.error(`[db] idle client error: ${describeError(err)}`));
  const db = drizzle({ client: pool, schema, casing: "snake_case" });
  return { db, pool, close: () => pool.end() };
}

const globalForDb = globalThis as unknown as { agentsocDb?: DbHandle };

/** The process-wide handle used by the app (kept on globalThis so dev reloads reuse one pool). */
export function appDb(): Db {
  globalForDb.agentsocDb ??= createDb(env().DATABASE_URL, env().SOC_DB_POOL_SIZE, { statementTimeoutMs: env().SOC_DB_STATEMENT_TIMEOUT_MS });
  return globalForDb.agentsocDb.db;
}

export async function closeAppDb(): Promise<void> {
  const handle = globalForDb.agentsocDb;
  globalForDb.agentsocDb = undefined;
  await handle?.close();
}
