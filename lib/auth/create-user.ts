import { users } from "@/db/schema";
import type { Role } from "@/db/schema/auth";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { authorize, parseOrThrow } from "./authorize";
import { createUserInput } from "./schemas";
import { generateOneTimePassword, hashPassword } from "./secrets";

export interface CreatedUser {
  user_id: string;
  email: string;
  role: Role;
  /** Present when the password was generated: shown once, never stored in clear. */
  one_time_password?: string;
}

export async function createUser({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<CreatedUser> {
  authorize(ctx, "admin", "add users");
  const { email, role, password } = parseOrThrow(createUserInput, input);
  const oneTime = password === undefined ? generateOneTimePassword() : undefined;
  const passwordHash = await hashPassword(password ?? oneTime ?? "");
  return ctx.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(users)
      .values({ email, role, passwordHash, mustChangePassword: oneTime !== undefined })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });
    if (!created) throw new AppError("CONFLICT", `A user with e-mail ${email} already exists`);
    await recordAudit(tx, ctx, {
      action: "user.create",
      targetType: "user",
      targetId: email,
      after: { user_id: created.id, role, password: oneTime ? "one-time password issued" : "set by the creator" },
    });
    return { user_id: created.id, email, role, ...(oneTime ? { one_time_password: oneTime } : {}) };
  });
}
