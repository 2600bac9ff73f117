import { countUsers } from "@/db/queries/auth";
import type { Ctx } from "@/lib/context";
import { type CreatedUser, createUser } from "./create-user";

export const FIRST_ADMIN_EMAIL = "admin@agentsoc.local";

/** On a database with no users, creates an admin with a one-time password so a new install can sign in at once. */
export async function ensureFirstAdmin({ ctx }: { ctx: Ctx }): Promise<CreatedUser | null> {
  if ((await countUsers(ctx.db)) > 0) return null;
  return createUser({ ctx, input: { email: FIRST_ADMIN_EMAIL, role: "admin" } });
}
