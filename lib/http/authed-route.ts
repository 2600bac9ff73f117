import { appDb } from "@/db/client";
import { authenticate, type Credentials } from "@/lib/auth/authenticate";
import { authorize } from "@/lib/auth/authorize";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { AppError, fieldError } from "@/lib/errors";
import { findJsonProblem } from "@/lib/storable-text";
import { handle, pathParams, readBodyCapped } from "./respond";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** All a session signed in with a one-time password may do until it picks its own. */
const PASSWORD_CHANGE_PATHS = new Set(["/api/v1/auth/password", "/api/v1/auth/me", "/api/v1/auth/sign-out"]);

/** The origin the browser used to reach us, as the proxy chain or Next.js reports it. */
export function requestOrigin(req: Request): string {
  const url = new URL(req.url);
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? url.host;
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? url.protocol.replace(":", "");
  return `${proto}://${host}`;
}

/**
 * CSRF defence for cookie sessions: a request that changes or records something must come from our own
 * pages. Browsers send Origin on every cross-site POST/PUT/PATCH/DELETE; Sec-Fetch-Site covers requests
 * without it, such as a GET navigation (a link another site shows, or one opened from outside a browser).
 */
export function assertSameOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  if (origin) {
    if (origin === requestOrigin(req)) return;
    throw new AppError("FORBIDDEN", "Cross-site request refused: the Origin is not this console");
  }
  if (req.headers.get("sec-fetch-site") === "same-origin") return;
  throw new AppError(
    "FORBIDDEN",
    "Request refused: with a browser session this must come from the console's own pages (Origin, or Sec-Fetch-Site: same-origin); automation sends an API token",
  );
}

export function isSecureRequest(req: Request): boolean {
  return requestOrigin(req).startsWith("https://");
}

/** The credentials a request carries, as `authenticate` reads them. */
export function credentialsOf(req: Request): Credentials {
  return { authorization: req.headers.get("authorization"), cookie: req.headers.get("cookie"), secure: isSecureRequest(req) };
}

export interface RouteArgs<P> {
  req: Request;
  ctx: Ctx;
  params: P;
}

export interface RouteOptions {
  /** A GET that writes an audit row (an evidence download): cookie sessions must come from our own pages for it too. */
  auditedRead?: boolean;
}

/**
 * A route handler for people and tokens: authenticates, checks the role, applies the CSRF check to
 * cookie sessions, and maps every error. The operation the route serves names the role it needs,
 * the same role the published API document states.
 */
export function authedRoute<P extends object = Record<string, never>>(
  operation: { access: Role },
  run: (args: RouteArgs<P>) => Promise<Response>,
  options: RouteOptions = {},
) {
  const minimum = operation.access;
  return (req: Request, route?: { params: Promise<P> }): Promise<Response> =>
    handle(req, async ({ requestId, sourceIp }) => {
      const db = appDb();
      const who = await authenticate(db, credentialsOf(req));
      if (!who) throw new AppError("UNAUTHENTICATED", "Sign in, or send an API token as Authorization: Bearer <token>");
      if (who.via === "cookie" && (!SAFE_METHODS.has(req.method) || options.auditedRead)) assertSameOrigin(req);
      const ctx: Ctx = { db, actor: who.actor, requestId, sourceIp };
      if (who.actor.type === "user" && who.actor.mustChangePassword && !PASSWORD_CHANGE_PATHS.has(new URL(req.url).pathname)) {
        throw new AppError("FORBIDDEN", "Change your one-time password first: POST /api/v1/auth/password, or the console's password page");
      }
      authorize(ctx, minimum, `${req.method} ${new URL(req.url).pathname}`);
      const params = await pathParams(route);
      return run({ req, ctx, params });
    });
}

/** Deeper than any body a route reads; JSON.stringify and zod recurse, so hostile depth must stop here. */
const MAX_BODY_DEPTH = 32;

/**
 * Reads a JSON object body of at most 64 KiB (an empty body is `{}`) whose every string and key
 * PostgreSQL can store; anything else is a VALIDATION error naming the field.
 */
export async function readJson(req: Request): Promise<Record<string, unknown>> {
  const body = await readJsonOrNull(req);
  if (body === null) throw new AppError("VALIDATION", "Body must be a JSON object");
  return body;
}

/** readJson for the routes where a body of `null` means "none" (PUT …/baseline removes the configured baseline). */
export async function readJsonOrNull(req: Request): Promise<Record<string, unknown> | null> {
  const text = (await readBodyCapped(req, 65_536, () => new AppError("PAYLOAD_TOO_LARGE", "Body larger than 64 KiB"))).toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("VALIDATION", "Body is not valid JSON");
  }
  if (parsed === null) return null;
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new AppError("VALIDATION", "Body must be a JSON object");
  const problem = findJsonProblem(parsed, MAX_BODY_DEPTH);
  if (problem) throw fieldError(problem.path || "body", problem.message);
  return parsed as Record<string, unknown>;
}

/** An optional free-text reason from a body, as verbs take it. */
export function reasonOf(body: Record<string, unknown>): string | undefined {
  return typeof body.reason === "string" ? body.reason : undefined;
}
