import { randomInt } from "node:crypto";
import { and, count, eq, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import { generateSecret, generateURI, verify } from "otplib";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { findUserById } from "@/db/queries/auth";
import { userRecoveryCodes, userSessions, userTotp } from "@/db/schema";
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
export const removeTotpInput = z
  .object({ password: z.string().max(256), code: totpCodeSchema.optional(), recovery_code: recoveryCodeSchema.optional() })
  .refine((v) => (v.code === undefined) !== (v.recovery_code === undefined), {
    message: "give the current code from your authenticator as code, or a recovery code as recovery_code",
    path: ["code"],
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

function personOf(ctx: Ctx): { userId: string; email: string; sessionId: string } {
  if (ctx.actor.type !== "user") throw new AppError("VALIDATION", "API tokens have no second factor; sign in as a person");
  return { userId: ctx.actor.userId, email: ctx.actor.email, sessionId: ctx.actor.sessionId };
}

/** Normalised as typed on paper: case, spaces and dashes do not matter. */
const recoveryCodeHash = (code: string) => hashSecret(code.toLowerCase().replace(/[\s-]/g, ""));

function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** The time step the code belongs to when it is valid now and newer than the last one accepted; null otherwise. */
async function acceptedStep(secret: string, code: string, lastTimeStep: number | null): Promise<number | null> {
  // otplib throws when the last accepted step is ahead of this server's clock (a clock stepped back): that code is refused too.
  const result = await verify({
    secret,
    token: code,
    epochTolerance: STEP_TOLERANCE_S,
    ...(lastTimeStep === null ? {} : { afterTimeStep: lastTimeStep }),
  }).catch(() => null);
  return result?.valid && "timeStep" in result ? result.timeStep : null;
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

async function endSessions(db: Queryable, userId: string, only: { session: string } | { allBut: string } | "all"): Promise<number> {
  const which = only === "all" ? undefined : "session" in only ? eq(userSessions.id, only.session) : ne(userSessions.id, only.allBut);
  const ended = await db
    .update(userSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.revokedAt), which))
    .returning({ id: userSessions.id });
  return ended.length;
}

/**
 * A personal change's proof (password, code) is checked as a sign-in is: counted towards the lock-out
 * before it is checked, audited when wrong, and the guess that locks the account also ends the session
 * that made it, so a stolen session cannot guess without limit.
 */
async function proven<T>(
  ctx: Ctx,
  person: { userId: string; email: string; sessionId: string },
  action: string,
  wrong: { path: string; message: string },
  check: () => Promise<T | null>,
): Promise<T> {
  const reserved = await reserveAttempt(ctx.db, person.userId);
  if (!reserved) throw lockedOut((await findUserById(ctx.db, person.userId))?.lockedUntil ?? null);
  const proof = await check();
  if (proof !== null) {
    await clearFailedAttempts(ctx.db, person.userId);
    return proof;
  }
  const lockFor = lockedForSeconds(reserved);
  await ctx.db.transaction(async (tx) => {
    if (lockFor > 0) await endSessions(tx, person.userId, { session: person.sessionId });
    await recordAudit(tx, ctx, {
      action: `${action}_failed`,
      targetType: "user",
      targetId: person.email,
      reason: lockFor > 0 ? `${wrong.message}; account locked for ${lockFor} s and this session ended` : wrong.message,
      after: { failed_sign_ins: reserved.failed },
    });
  });
  const message =
    lockFor > 0 ? `${wrong.message}; after ${reserved.failed} wrong tries the account is locked for ${lockFor} s and this session has ended` : wrong.message;
  throw new AppError("VALIDATION", `${wrong.path}: ${message}`, { details: { errors: [{ path: wrong.path, message }] } });
}

/**
 * Starts enrolment: a new secret, shown this once. The password is asked again, and a wrong one counts
 * towards the account's lock-out, so a stolen session cannot bind the account to the thief's phone.
 */
export async function startTotpEnrolment({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<z.infer<typeof totpEnrolmentSchema>> {
  const person = personOf(ctx);
  const { password } = parseOrThrow(startTotpInput, input);
  // Before the password is looked at: the answer must not tell a right password from a wrong one.
  if (await needsSecondFactor(ctx.db, person.userId)) {
    throw new AppError("CONFLICT", "An authenticator is already enrolled; remove it (with your password and a current code) before enrolling another");
  }
  const user = await findUserById(ctx.db, person.userId);
  if (!user) throw new AppError("UNAUTHENTICATED", "Your account no longer exists");
  await proven(ctx, person, "auth.totp_enrol", { path: "password", message: "that is not your password" }, async () =>
    (await verifyPassword(password, user.passwordHash)) ? true : null,
  );
  const secret = generateSecret();
  const sealed = sealText(secret, requireSocSecret("enrol an authenticator"), PURPOSE);
  await ctx.db.transaction(async (tx) => {
    const [existing] = await tx.select({ confirmedAt: userTotp.confirmedAt }).from(userTotp).where(eq(userTotp.userId, person.userId)).for("update");
    if (existing?.confirmedAt) throw new AppError("CONFLICT", "An authenticator is already enrolled");
    await tx
      .insert(userTotp)
      .values({ userId: person.userId, secretSealed: sealed })
      .onConflictDoUpdate({ target: userTotp.userId, set: { secretSealed: sealed, createdAt: sql`now()`, lastTimeStep: null } });
    await recordAudit(tx, ctx, { action: "auth.totp_enrol_started", targetType: "user", targetId: user.email });
  });
  return { secret, otpauth_url: generateURI({ issuer: ISSUER, label: user.email, secret }) };
}

/** The first code proves the authenticator holds the secret: from then on sign-in asks for a code. */
export async function confirmTotp({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<z.infer<typeof totpEnabledSchema>> {
  const person = personOf(ctx);
  const { userId, email } = person;
  const { code } = parseOrThrow(confirmTotpInput, input);
  const [pending] = await ctx.db
    .select()
    .from(userTotp)
    .where(and(eq(userTotp.userId, userId), isNull(userTotp.confirmedAt)));
  if (!pending) throw new AppError("CONFLICT", "No enrolment to confirm: start one with POST /api/v1/auth/mfa/totp/enroll");
  await proven(ctx, person, "auth.totp_confirm", { path: "code", message: "not the code the authenticator shows now (check the phone's clock)" }, async () =>
    (await spendCode(ctx.db, userId, pending.secretSealed, pending.lastTimeStep, code)) ? true : null,
  );
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
    // Whoever else was signed in with the password alone (the reason many turn this on) is signed out.
    const ended = await endSessions(tx, userId, { allBut: person.sessionId });
    await recordAudit(tx, ctx, {
      action: "auth.totp_enabled",
      targetType: "user",
      targetId: email,
      after: { recovery_codes: RECOVERY_CODES, other_sessions_ended: ended },
    });
  });
  return { enabled: true, recovery_codes: codes };
}

async function removeTotp(db: Queryable, userId: string): Promise<boolean> {
  const removed = await db.delete(userTotp).where(eq(userTotp.userId, userId)).returning({ userId: userTotp.userId });
  await db.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
  return removed.length > 0;
}

/** A person removes their own authenticator with their password and a current code (or a recovery code). */
export async function removeOwnTotp({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<void> {
  const person = personOf(ctx);
  const given = parseOrThrow(removeTotpInput, input);
  if (!(await needsSecondFactor(ctx.db, person.userId))) throw new AppError("NOT_FOUND", "No authenticator is enrolled");
  const user = await findUserById(ctx.db, person.userId);
  if (!user) throw new AppError("UNAUTHENTICATED", "Your account no longer exists");
  const factor = given.code !== undefined ? { totp: given.code } : { recovery_code: given.recovery_code };
  const used = await proven(ctx, person, "auth.totp_remove", { path: "password", message: "wrong password, or a wrong or used code" }, async () =>
    (await verifyPassword(given.password, user.passwordHash)) ? acceptSecondFactor(ctx.db, person.userId, factor) : null,
  );
  await ctx.db.transaction(async (tx) => {
    await removeTotp(tx, person.userId);
    await recordAudit(tx, ctx, { action: "auth.totp_removed", targetType: "user", targetId: person.email, after: { proved_with: used } });
  });
}

/** An admin removes someone's authenticator (a lost phone): their next sign-in is by password alone. */
export async function resetUserTotp({ ctx, input }: { ctx: Ctx; input: { userId: string; reason: string } }): Promise<{ removed: boolean }> {
  authorize(ctx, "admin", "reset a person's second factor");
  const userId = parseOrThrow(z.uuid({ message: "userId: expected a user id (UUID)" }), input.userId);
  const { reason } = parseOrThrow(resetTotpBody, { reason: input.reason });
  if (ctx.actor.type === "user" && ctx.actor.userId === userId) {
    throw new AppError("FORBIDDEN", "Your own second factor is removed with your password and a code (DELETE /api/v1/auth/mfa/totp), not by an admin reset");
  }
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError("NOT_FOUND", `No user ${userId}`);
  return ctx.db.transaction(async (tx) => {
    const removed = await removeTotp(tx, userId);
    // Signed in again from scratch: a session that was opened while the second factor was in doubt does not carry on.
    const ended = await endSessions(tx, userId, "all");
    await recordAudit(tx, ctx, { action: "user.totp_reset", targetType: "user", targetId: user.email, reason, after: { removed, sessions_ended: ended } });
    return { removed };
  });
}
