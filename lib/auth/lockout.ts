import { type AnyColumn, and, eq, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { unknownAccountSignIns, users } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { FREE_ATTEMPTS } from "./sessions";

/** Where the count stands after this attempt; `lockedUntil` is set when this attempt locked the account. */
export interface Attempt {
  failed: number;
  lockedUntil: Date | null;
}

/** After FREE_ATTEMPTS failures in a row: locked for 1 minute, doubling with each further failure, up to 1 hour. */
const lockAfterOneMore = (failedSoFar: AnyColumn | SQL) => sql`CASE WHEN ${failedSoFar} + 1 >= ${FREE_ATTEMPTS}
  THEN now() + make_interval(secs => least(3600, 60 * power(2, ${failedSoFar} + 1 - ${FREE_ATTEMPTS})))
  ELSE NULL END`;

/**
 * Counts an attempt at an account's password before the password is checked, in one statement, so
 * parallel guesses cannot slip past the lock-out while a slow scrypt runs; a success resets the count
 * (clearFailedAttempts). Null when the account is locked: the attempt is refused unchecked.
 */
export async function reserveAttempt(db: Queryable, userId: string): Promise<Attempt | null> {
  const [reserved] = await db
    .update(users)
    .set({ failedSignIns: sql`${users.failedSignIns} + 1`, lockedUntil: lockAfterOneMore(users.failedSignIns) })
    .where(and(eq(users.id, userId), or(isNull(users.lockedUntil), lte(users.lockedUntil, sql`now()`))))
    .returning({ failed: users.failedSignIns, lockedUntil: users.lockedUntil });
  return reserved ?? null;
}

export async function clearFailedAttempts(db: Queryable, userId: string): Promise<void> {
  await db.update(users).set({ failedSignIns: 0, lockedUntil: null }).where(eq(users.id, userId));
}

/**
 * The same count for an e-mail address that has no account, so that guessing at it locks and answers
 * exactly as guessing at a real account does: the answers cannot tell who has an account.
 */
export async function reserveUnknownAccountAttempt(db: Queryable, email: string): Promise<Attempt | null> {
  const [reserved] = await db
    .insert(unknownAccountSignIns)
    .values({ email, failedSignIns: 1, lockedUntil: lockAfterOneMore(sql`0`) })
    .onConflictDoUpdate({
      target: unknownAccountSignIns.email,
      set: {
        failedSignIns: sql`${unknownAccountSignIns.failedSignIns} + 1`,
        lockedUntil: lockAfterOneMore(unknownAccountSignIns.failedSignIns),
        lastFailedAt: sql`now()`,
      },
      setWhere: or(isNull(unknownAccountSignIns.lockedUntil), lte(unknownAccountSignIns.lockedUntil, sql`now()`)),
    })
    .returning({ failed: unknownAccountSignIns.failedSignIns, lockedUntil: unknownAccountSignIns.lockedUntil });
  return reserved ?? null;
}

/** The answer to an attempt on a locked account, known or not. */
export function lockedOut(lockedUntil: Date | null): AppError {
  const retryAfter = Math.max(1, Math.ceil(((lockedUntil?.getTime() ?? Date.now()) - Date.now()) / 1000));
  return new AppError("RATE_LIMITED", `Too many failed sign-ins for this account; try again in ${retryAfter} s`, {
    headers: { "Retry-After": String(retryAfter) },
  });
}

/** Seconds this attempt locked the account for; 0 when it did not. */
export function lockedForSeconds(attempt: Attempt): number {
  return attempt.lockedUntil ? Math.round((attempt.lockedUntil.getTime() - Date.now()) / 1000) : 0;
}
