import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";
import { isoTime, nullableTime } from "@/lib/schema-kit";

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
  totp: z.string().max(32).optional().meta({ description: "The code the authenticator shows, for an account with a second factor" }),
  recovery_code: z.string().max(64).optional().meta({ description: "One of the account's recovery codes, in place of totp" }),
});

export const createUserInput = z.object({
  email: emailSchema,
  role: roleSchema,
  /** Without one, a one-time password is generated and returned once. */
  password: passwordSchema.optional(),
});

const userChange = z.object({
  role: roleSchema.optional(),
  disabled: z.boolean().optional(),
  reason: reasonSchema.optional(),
});
const changesSomething = [
  (v: z.infer<typeof userChange>) => v.role !== undefined || v.disabled !== undefined,
  { message: "nothing to change: give role or disabled" },
] as const;

/** Body of PATCH /api/v1/users/{userId}. */
export const updateUserBody = userChange.refine(...changesSomething);
export const updateUserInput = userChange.extend({ userId: z.uuid() }).refine(...changesSomething);

export const createApiTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  role: roleSchema,
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

/** Body of POST /api/v1/tokens: createApiTokenInput as the API spells it. */
export const createApiTokenBody = z.object({
  name: createApiTokenInput.shape.name,
  role: createApiTokenInput.shape.role,
  expires_in_days: createApiTokenInput.shape.expiresInDays,
});

/** A body whose only field is an optional reason, recorded in the audit log. */
export const optionalReasonBody = z.object({ reason: reasonSchema.optional() });

/** "30d", "12h" or a number of days, as operators write expiry on the command line. */
export function parseExpiryDays(text: string): number | null {
  const m = /^(\d{1,4})(d)?$/.exec(text.trim());
  return m?.[1] ? Number(m[1]) : null;
}

// What the API answers.

export const signedInSchema = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), role: roleSchema, must_change_password: z.boolean() }),
  expires_at: isoTime,
});

export const whoAmISchema = z.union([
  z.object({ kind: z.literal("user"), email: z.string(), role: roleSchema, rights: z.string() }),
  z.object({ kind: z.literal("api_token"), name: z.string(), role: roleSchema, rights: z.string() }),
  z.object({ kind: z.enum(["agent", "cli", "system", "anonymous"]) }),
]);

export const userViewSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    role: roleSchema,
    disabled: z.boolean(),
    locked_until: nullableTime,
    created_at: isoTime,
    last_sign_in_at: nullableTime,
  })
  .meta({ id: "User" });

export const createdUserSchema = z.object({
  user_id: z.uuid(),
  email: z.string(),
  role: roleSchema,
  one_time_password: z.string().optional().meta({ description: "Only when no password was given: shown this once, never stored in clear" }),
});

export const updatedUserSchema = z.object({ user_id: z.uuid(), email: z.string(), role: roleSchema, disabled: z.boolean() });
export const passwordResetSchema = z.object({ user_id: z.uuid(), email: z.string(), one_time_password: z.string().meta({ description: "Shown this once" }) });

export const apiTokenViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: roleSchema.meta({ description: "The role it was made with" }),
    effective_role: roleSchema
      .nullable()
      .meta({ description: "The role it acts with now (the least along its chain and its owner's); null when it cannot act" }),
    dead_because: z.string().nullable(),
    owner_email: z.string().nullable(),
    parent: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    prefix: z.string(),
    created_by: z.string(),
    created_at: isoTime,
    expires_at: nullableTime,
    last_used_at: nullableTime,
    revoked_at: nullableTime,
  })
  .meta({ id: "ApiToken" });

export const createdApiTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: roleSchema,
  token: z.string().meta({ description: "The token itself, shown this once" }),
  expires_at: nullableTime,
});

export const revokedApiTokenSchema = z.object({ id: z.uuid(), revoked: z.literal(true), descendants_revoked: z.array(z.uuid()) });

export const sessionViewSchema = z
  .object({
    id: z.uuid(),
    started_at: isoTime,
    last_seen_at: isoTime,
    expires_at: isoTime,
    address: z.string().nullable().meta({ description: "The address it signed in from" }),
    device: z.string().meta({ description: 'Browser and system read from its User-Agent, e.g. "Firefox on Windows"' }),
    current: z.boolean().meta({ description: "The session making this request" }),
  })
  .meta({ id: "BrowserSession" });

export const sessionsListSchema = z.object({ sessions: z.array(sessionViewSchema) });
export const endedSessionsSchema = z.object({
  ended: z.array(z.uuid()).meta({ description: "The sessions ended by this call" }),
  signed_out: z.boolean().meta({ description: "The session making the request was one of them: its cookie is cleared" }),
});
/** Ending someone else's sessions says why. */
export const endSessionsBody = z.object({ reason: reasonSchema });
export const sessionIdSchema = z.uuid({ message: "expected a session id (UUID), as GET …/sessions lists them" });
