import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { rotationItems } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { ROTATION_ITEM_STEPS, RotationClaim } from "./provider";

/** A hold on any step of an item, the console's own `record` included. */
type ItemClaim = { itemId: string; step: (typeof ROTATION_ITEM_STEPS)[number]; attempt: number };

/** Only the claimed row: unchanged step and attempt, still live (another worker that took it over has moved the attempt on). */
export const claimIsMine = (claim: ItemClaim) =>
  and(
    eq(rotationItems.id, claim.itemId),
    eq(rotationItems.step, claim.step),
    eq(rotationItems.attempts, claim.attempt),
    inArray(rotationItems.state, ["pending", "retrying"]),
  );

/** The claim is mine and its lease is still running. */
export const claimHeld = (claim: ItemClaim) => and(claimIsMine(claim), gt(rotationItems.leaseUntil, sql`now()`));

/**
 * Runs a built-in provider's write in one transaction with its worker's claim: the item row is locked
 * (a worker taking the step over waits, or skips it) and must still be at this step and attempt with
 * its lease running. A claim that no longer holds writes nothing; the step is taken again later.
 */
export async function underClaim<T>(db: Db, claim: RotationClaim | undefined, write: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    if (claim) {
      const [held] = await tx.select({ id: rotationItems.id }).from(rotationItems).where(claimHeld(claim)).for("update");
      if (!held) throw new AppError("UNAVAILABLE", `${claim.step}: this worker's hold on the step ran out before it wrote; nothing was changed`);
    }
    return write(tx);
  });
}
