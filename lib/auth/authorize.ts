import type { z } from "zod";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { type Role, roleAtLeast } from "./roles";

/**
 * The one gate every verb passes: people and tokens by role; an operator at the shell (cli) and the
 * console itself (system) already hold the database and may act; agents and strangers may not.
 */
export function authorize(ctx: Ctx, minimum: Role, what: string): void {
  if (holdsRole(ctx, minimum)) return;
  const actor = ctx.actor;
  if (actor.type === "user" || actor.type === "api_token") {
    throw new AppError("FORBIDDEN", `Your role (${actor.role}) may not ${what}; it needs ${minimum} or higher`);
  }
  throw new AppError(actor.type === "anonymous" ? "UNAUTHENTICATED" : "FORBIDDEN", `Sign in to ${what}`);
}

/** Whether the caller holds `minimum`'s rights, as `authorize` decides: for shaping what a reader is shown. */
export function holdsRole(ctx: Ctx, minimum: Role): boolean {
  const actor = ctx.actor;
  if (actor.type === "cli" || actor.type === "system") return true;
  return (actor.type === "user" || actor.type === "api_token") && roleAtLeast(actor.role, minimum);
}

/** Parses a verb's input; a failure is one VALIDATION error naming each bad field (under `field`, for a single value). */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, field?: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({ path: [...(field ? [field] : []), ...i.path].join("."), message: i.message }));
  throw new AppError("VALIDATION", errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join("; "), {
    details: { errors },
  });
}

/** Parses a query string with `schema`; an empty parameter (`?status=`) counts as absent. */
export function parseQuery<T>(schema: z.ZodType<T>, params: URLSearchParams): T {
  return parseOrThrow(schema, Object.fromEntries([...params].filter(([, v]) => v !== "")));
}
