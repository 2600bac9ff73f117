import { z } from "zod";
import { ROLES } from "@/db/schema/auth";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "expected an e-mail address" }).max(254));
export const passwordSchema = z.string().min(12, "passwords need at least 12 characters").max(256);
export const roleSchema = z.enum(ROLES, { message: `role must be one of ${ROLES.join(", ")}` });
export const reasonSchema = z.string().trim().min(1).max(500);

export const signInInput = z.object({
  email: z.string().trim().toLowerCase().max(254),
  password: z.string().max(256),
});

export const createUserInput = z.object({
  email: emailSchema,
  role: roleSchema,
  /** Without one, a one-time password is generated and returned once. */
  password: passwordSchema.optional(),
});

export const updateUserInput = z
  .object({
    userId: z.uuid(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    reason: reasonSchema.optional(),
  })
  .refine((v) => v.role !== undefined || v.disabled !== undefined, { message: "nothing to change: give role or disabled" });

export const createApiTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  role: roleSchema,
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

/** "30d", "12h" or a number of days, as operators write expiry on the command line. */
export function parseExpiryDays(text: string): number | null {
  const m = /^(\d{1,4})(d)?$/.exec(text.trim());
  return m?.[1] ? Number(m[1]) : null;
}
