import { type AnyPgColumn, bigint, boolean, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { ROLES } from "../../lib/auth/roles";

export { ROLES, type Role } from "../../lib/auth/roles";

export const users = pgTable("users", {
  id: uuid().primaryKey().defaultRandom(),
  /** Stored lower-cased: e-mail addresses are compared without case. */
  email: text().notNull().unique(),
  role: text({ enum: ROLES }).notNull(),
  /** scrypt$N$r$p$salt$hash, all base64url. */
  passwordHash: text().notNull(),
  failedSignIns: integer().notNull().default(0),
  lockedUntil: timestamp({ withTimezone: true }),
  disabledAt: timestamp({ withTimezone: true }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  passwordChangedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  /** Set with a one-time password: until the user picks their own, the session can do nothing else. */
  mustChangePassword: boolean().notNull().default(false),
});

export const userSessions = pgTable(
  "user_sessions",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** SHA-256 of the cookie value; the value itself is never stored. */
    tokenHash: text().notNull().unique(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    sourceIp: text(),
    userAgent: text(),
  },
  (t) => [index().on(t.userId)],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    /** The role it was made with; it acts with the least of this, its ancestors' roles and its owner's current role. */
    role: text({ enum: ROLES }).notNull(),
    tokenHash: text().notNull().unique(),
    tokenPrefix: text().notNull(),
    /** Who made it, as the audit log names them (display only: the chain below decides its rights). */
    createdBy: text().notNull(),
    /** The person at the root of its chain, copied down to every token minted from it; null for the operator at the shell. */
    ownerUserId: uuid().references(() => users.id),
    /** The token that minted it; null when a person or the operator did. */
    parentTokenId: uuid().references((): AnyPgColumn => apiTokens.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.ownerUserId), index().on(t.parentTokenId)],
);

/**
 * Failed sign-ins for e-mail addresses that have no account, counted and locked exactly as
 * users.failed_sign_ins and users.locked_until are, so that the answers cannot tell the two apart.
 */
export const unknownAccountSignIns = pgTable("unknown_account_sign_ins", {
  /** Lower-cased, as sign-in compares it. */
  email: text().primaryKey(),
  failedSignIns: integer().notNull().default(0),
  lockedUntil: timestamp({ withTimezone: true }),
  lastFailedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** A person's authenticator (TOTP, RFC 6238): in use once confirmed with a first code. */
export const userTotp = pgTable("user_totp", {
  userId: uuid()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  /** Sealed under SOC_SECRET (AES-256-GCM): codes are computed from the secret, so it cannot be kept as a hash. */
  secretSealed: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  confirmedAt: timestamp({ withTimezone: true }),
  /** The time step of the last code accepted: each code is accepted once. */
  lastTimeStep: bigint({ mode: "number" }),
});

/** One-use codes for a person who lost their authenticator, stored as SHA-256 hashes. */
export const userRecoveryCodes = pgTable(
  "user_recovery_codes",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text().notNull().unique(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.userId)],
);
