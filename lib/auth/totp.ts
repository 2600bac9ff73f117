import { randomInt } from "node:crypto";
import { and, count, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { generateSecret, generateURI, verify } from "otplib";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { findUserById } from "@/db/queries/auth";
import { userRecoveryCodes, userTotp } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { openSealed, requireSocSecret, sealText } from "@/lib/notify/seal";
import { authorize, parseOrThrow } from "./authorize";
import { clearFailedAttempts, lockedForSeconds, lockedOut, reserveAttempt } from "./lockout";
import { reasonSchema } from "./schemas";
import { hashSecret, verifyPassword } from "./secrets";

const PURPOSE = "agentsoc:auth:totp" as const;
const ISSUER = "AgentSOC";
/** One 30-second step either side of now, for clocks that drift (RFC 6238 §5.2). */
const STEP_TOLERANCE_S = 30;
const RECOVERY_CODES = 10;
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

export const totpCodeSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, "expected the 6-digit code your authenticator shows");
export const recoveryCodeSchema = z.string().trim().min(1).max(64);

export const startTotpInput = z.object({ password: z.string().max(256) });
export const confirmTotpInput = z.object({ code: totpCodeSchema });
export const removeTotpInput = z.union([z.object({ code: totpCodeSchema }), z.object({ recovery_code: recoveryCodeSchema })], {
  message: "give the current code from your authenticator as code, or a recovery code as recovery_code",
});
export const resetTotpBody = z.object({ reason: reasonSchema });

export const totpEnrolmentSchema = z.object({
  secret: z.string().meta({ description: "Base32, for typing into an authenticator by hand" }),
  otpauth_url: z.string().meta({ description: "otpauth://totp/… for a QR code or a phone's authenticator" }),
});
export const totpEnabledSchema = z.object({
  enabled: z.literal(true),
  recovery_codes: z.array(z.string()).meta({ description: "Each signs in once in place of a code; shown this once" }),
});
export const secondFactorStatusSchema = z.object({
  totp: z.enum(["none", "pending", "enabled"]).meta({ description: "pending: enrolment started, not yet confirmed with a code" }),
  confirmed_at: z.iso.datetime().nullable(),
  recovery_codes_left: z.number().int(),
});

function personOf(ctx: Ctx): { userId: string; email: string } {
  if (ctx.actor.type !== "user") throw new AppError("VALIDATION", "API tokens have no second factor; sign in as a person");
  return { userId: ctx.actor.userId, email: ctx.actor.email };
}

/** Normalised as typed on paper: case, spaces and dashes do not matter. */
const recoveryCodeHash = (code: string) => hashSecret(code.toLowerCase().replace(/[\s-]/g, ""));

function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** The time step the code belongs to when it is valid now and newer than the last one accepted; null otherwise. */
async function acceptedStep(secret: string, code: string, lastTimeStep: number | null): Promise<number | null> {
  const result = await verify({ secret, token: code, epochTolerance: STEP_TOLERANCE_S, ...(lastTimeStep === null ? {} : { afterTimeStep: lastTimeStep }) });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

/**
 * A code is accepted once: the step is recorded only if it is newer than the last, in one statement,
 * so two requests racing with the same code cannot both pass.
 */
async function spendCode(db: Queryable, userId: string, sealed: string, lastTimeStep: number | null, code: string): Promise<boolean> {
  const secret = openSealed(sealed, requireSocSecret("check a second factor"), PURPOSE);
  if (secret === null)
    throw new AppError("UNAVAILABLE", "The stored authenticator secret cannot be opened: SOC_SECRET changed since it was enrolled; an admin can reset it");
  const step = await acceptedStep(secret, code, lastTimeStep);
  if (step === null) return false;
  const taken = await db
    .update(userTotp)
    .set({ lastTimeStep: step })
    .where(and(eq(userTotp.userId, userId), or(isNull(userTotp.lastTimeStep), lt(userTotp.lastTimeStep, step))))
    .returning({ userId: userTotp.userId });
  return taken.length > 0;
}

async function spendRecoveryCode(db: Queryable, userId: string, code: string): Promise<boolean> {
  const used = await db
    .update(userRecoveryCodes)
    .set({ usedAt: sql`now()` })
    .where(and(eq(userRecoveryCodes.userId, userId), eq(userRecoveryCodes.codeHash, recoveryCodeHash(code)), isNull(userRecoveryCodes.usedAt)))
    .returning({ id: userRecoveryCodes.id });
  return used.length > 0;
}

async function confirmedTotp(db: Queryable, userId: string) {
  const [row] = await db
    .select()
    .from(userTotp)
    .where(and(eq(userTotp.userId, userId), isNotNull(userTotp.confirmedAt)));
  return row ?? null;
}

/** Whether a person must give a second factor to sign in. */
export async function needsSecondFactor(db: Queryable, userId: string): Promise<boolean> {
  return (await confirmedTotp(db, userId)) !== null;
}

/** A sign-in's second factor: a current code not used before, or an unused recovery code. */
export async function acceptSecondFactor(
  db: Queryable,
  userId: string,
  given: { totp?: string; recovery_code?: string },
): Promise<"code" | "recovery_code" | null> {
  const totp = await confirmedTotp(db, userId);
  if (!totp) return null;
  if (given.totp !== undefined) {
    const code = totpCodeSchema.safeParse(given.totp);
    return code.success && (await spendCode(db, userId, totp.secretSealed, totp.lastTimeStep, code.data)) ? "code" : null;
  }
  if (given.recovery_code !== undefined) return (await spendRecoveryCode(db, userId, given.recovery_code)) ? "recovery_code" : null;
  return null;
}

export async function secondFactorStatus({ ctx }: { ctx: Ctx }): Promise<z.infer<typeof secondFactorStatusSchema>> {
  const { userId } = personOf(ctx);
  const [row] = await ctx.db.select({ confirmedAt: userTotp.confirmedAt }).from(userTotp).where(eq(userTotp.userId, userId));
  const [left] = await ctx.db
    .select({ n: count() })
    .from(userRecoveryCodes)
    .where(and(eq(userRecoveryCodes.userId, userId), isNull(userRecoveryCodes.usedAt)));
  return {
    totp: !row ? "none" : row.confirmedAt ? "enabled" : "pending",
    confirmed_at: row?.confirmedAt?.toISOString() ?? null,
    recovery_codes_left: row?.confirmedAt ? (left?.n ?? 0) : 0,
  };
}

/**
 * Starts enrolment: a new secret, shown this once. The password is asked again, and a wrong one counts
 * towards the account's lock-out, so a stolen session cannot bind the account to the thief's phone.
 */
export async function startTotpEnrolment({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<z.infer<typeof totpEnrolmentSchema>> {
  const { userId } = personOf(ctx);
  const { password } = parseOrThrow(startTotpInput, input);
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError("UNAUTHENTICATED", "Your account no longer exists");
  const reserved = await reserveAttempt(ctx.db, userId);
  if (!reserved) throw lockedOut(user.lockedUntil);
  if (!(await verifyPassword(password, user.passwordHash))) {
    const lockFor = lockedForSeconds(reserved);
    await ctx.db.transaction((tx) =>
      recordAudit(tx, ctx, {
        action: "auth.totp_enrol_failed",
        targetType: "user",
        targetId: user.email,
        reason: "wrong password",
        after: { failed_sign_ins: reserved.failed },
      }),
    );
    const message = lockFor > 0 ? `that is not your password; the account is locked for ${lockFor} s` : "that is not your password";
    throw new AppError("VALIDATION", `password: ${message}`, { details: { errors: [{ path: "password", message }] } });
  }
  const secret = generateSecret();
  const sealed = sealText(secret, requireSocSecret("enrol an authenticator"), PURPOSE);
  await ctx.db.transaction(async (tx) => {
    await clearFailedAttempts(tx, userId);
    const [existing] = await tx.select({ confirmedAt: userTotp.confirmedAt }).from(userTotp).where(eq(userTotp.userId, userId)).for("update");
    if (existing?.confirmedAt) throw new AppError("CONFLICT", "An authenticator is already enrolled; remove it (with a current code) before enrolling another");
    await tx
      .insert(userTotp)
      .values({ userId, secretSealed: sealed })
      .onConflictDoUpdate({ target: userTotp.userId, set: { secretSealed: sealed, createdAt: sql`now()`, lastTimeStep: null } });
    await recordAudit(tx, ctx, { action: "auth.totp_enrol_started", targetType: "user", targetId: user.email });
  });
  return { secret, otpauth_url: generateURI({ issuer: ISSUER, label: user.email, secret }) };
}

/** The first code proves the authenticator holds the secret: from then on sign-in asks for a code. */
export async function confirmTotp({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<z.infer<typeof totpEnabledSchema>> {
  const { userId, email } = personOf(ctx);
  const { code } = parseOrThrow(confirmTotpInput, input);
  const [pending] = await ctx.db
    .select()
    .from(userTotp)
    .where(and(eq(userTotp.userId, userId), isNull(userTotp.confirmedAt)));
  if (!pending) throw new AppError("CONFLICT", "No enrolment to confirm: start one with POST /api/v1/auth/mfa/totp/enroll");
  if (!(await spendCode(ctx.db, userId, pending.secretSealed, pending.lastTimeStep, code))) {
    const message = "not the code the authenticator shows now (check the phone's clock)";
    throw new AppError("VALIDATION", `code: ${message}`, { details: { errors: [{ path: "code", message }] } });
  }
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await ctx.db.transaction(async (tx) => {
    const confirmed = await tx
      .update(userTotp)
      .set({ confirmedAt: sql`now()` })
      .where(and(eq(userTotp.userId, userId), isNull(userTotp.confirmedAt), eq(userTotp.secretSealed, pending.secretSealed)))
      .returning({ userId: userTotp.userId });
    if (confirmed.length === 0) throw new AppError("CONFLICT", "The enrolment changed while it was being confirmed; start again");
    await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
    await tx.insert(userRecoveryCodes).values(codes.map((c) => ({ userId, codeHash: recoveryCodeHash(c) })));
    await recordAudit(tx, ctx, { action: "auth.totp_enabled", targetType: "user", targetId: email, after: { recovery_codes: RECOVERY_CODES } });
  });
  return { enabled: true, recovery_codes: codes };
}

async function removeTotp(db: Queryable, userId: string): Promise<boolean> {
  const removed = await db.delete(userTotp).where(eq(userTotp.userId, userId)).returning({ userId: userTotp.userId });
  await db.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
  return removed.length > 0;
}

/** A person removes their own authenticator with a current code or a recovery code. */
export async function removeOwnTotp({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<void> {
  const { userId, email } = personOf(ctx);
  const given = parseOrThrow(removeTotpInput, input);
  if (!(await needsSecondFactor(ctx.db, userId))) throw new AppError("NOT_FOUND", "No authenticator is enrolled");
  const used = await acceptSecondFactor(ctx.db, userId, "code" in given ? { totp: given.code } : { recovery_code: given.recovery_code });
  if (!used) {
    await ctx.db.transaction((tx) =>
      recordAudit(tx, ctx, { action: "auth.totp_remove_failed", targetType: "user", targetId: email, reason: "wrong or used code" }),
    );
    const path = "code" in given ? "code" : "recovery_code";
    throw new AppError("VALIDATION", `${path}: wrong, or already used`, { details: { errors: [{ path, message: "wrong, or already used" }] } });
  }
  await ctx.db.transaction(async (tx) => {
    await removeTotp(tx, userId);
    await recordAudit(tx, ctx, { action: "auth.totp_removed", targetType: "user", targetId: email, after: { proved_with: used } });
  });
}

/** An admin removes someone's authenticator (a lost phone): their next sign-in is by password alone. */
export async function resetUserTotp({ ctx, input }: { ctx: Ctx; input: { userId: string; reason: string } }): Promise<{ removed: boolean }> {
  authorize(ctx, "admin", "reset a person's second factor");
  const userId = parseOrThrow(z.uuid({ message: "userId: expected a user id (UUID)" }), input.userId);
  const { reason } = parseOrThrow(resetTotpBody, { reason: input.reason });
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError("NOT_FOUND", `No user ${userId}`);
  return ctx.db.transaction(async (tx) => {
    const removed = await removeTotp(tx, userId);
    await recordAudit(tx, ctx, { action: "user.totp_reset", targetType: "user", targetId: user.email, reason, after: { removed } });
    return { removed };
  });
}
