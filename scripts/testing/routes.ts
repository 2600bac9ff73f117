import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Role } from "@/lib/auth/roles";

export type Access = Role | "ingest-key" | "public";

/**
 * Every /api/v1 route and method, /metrics and /.well-known, with who may call it. A new route fails the route
 * tests until it is listed here, so no route ships without a decision about its access.
 */
export const ACCESS: Record<string, Access> = {
  "POST /api/v1/ingest": "ingest-key",
  "POST /api/v1/otlp/v1/traces": "ingest-key",
  "POST /api/v1/auth/sign-in": "public",
  "POST /api/v1/auth/sign-out": "viewer",
  "GET /api/v1/auth/me": "viewer",
  "POST /api/v1/auth/password": "viewer",
  "GET /api/v1/auth/mfa": "viewer",
  "POST /api/v1/auth/mfa/totp/enroll": "viewer",
  "POST /api/v1/auth/mfa/totp/confirm": "viewer",
  "DELETE /api/v1/auth/mfa/totp": "viewer",
  "GET /api/v1/auth/sessions": "viewer",
  "DELETE /api/v1/auth/sessions/[sessionId]": "viewer",
  "GET /api/v1/events": "viewer",
  "GET /api/v1/events/export": "analyst",
  "GET /api/v1/agents": "viewer",
  "POST /api/v1/agents": "admin",
  "GET /api/v1/agents/[agentId]/keys": "admin",
  "POST /api/v1/agents/[agentId]/keys": "admin",
  "DELETE /api/v1/agents/[agentId]/keys/[keyId]": "admin",
  "PUT /api/v1/agents/[agentId]/keys/[keyId]": "admin",
  "GET /api/v1/model-prices": "viewer",
  "PUT /api/v1/model-prices/[model]": "admin",
  "DELETE /api/v1/model-prices/[model]": "admin",
  "GET /api/v1/sessions/[sessionId]": "viewer",
  "GET /api/v1/sessions/[sessionId]/timeline": "analyst",
  "GET /api/v1/agents/[agentId]/communications": "analyst",
  "POST /api/v1/sessions/[sessionId]/snapshot": "analyst",
  "GET /api/v1/sessions/[sessionId]/snapshots": "analyst",
  "GET /api/v1/snapshots/[snapshotId]/ndjson": "analyst",
  "GET /api/v1/snapshots/[snapshotId]/manifest": "analyst",
  "GET /api/v1/snapshots/public-key": "viewer",
  "GET /api/v1/users": "admin",
  "POST /api/v1/users": "admin",
  "PATCH /api/v1/users/[userId]": "admin",
  "POST /api/v1/users/[userId]/reset-password": "admin",
  "DELETE /api/v1/users/[userId]/mfa": "admin",
  "GET /api/v1/users/[userId]/sessions": "admin",
  "DELETE /api/v1/users/[userId]/sessions": "admin",
  "DELETE /api/v1/users/[userId]/sessions/[sessionId]": "admin",
  "GET /api/v1/tokens": "admin",
  "POST /api/v1/tokens": "admin",
  "DELETE /api/v1/tokens/[tokenId]": "admin",
  "GET /api/v1/audit": "analyst",
  "GET /api/v1/audit/verify": "admin",
  "GET /api/v1/killswitch": "viewer",
  "GET /api/v1/agents/[agentId]/kill-policies": "viewer",
  "GET /api/v1/agents/[agentId]/containment": "viewer",
  "PUT /api/v1/agents/[agentId]/kill-policies": "admin",
  "PUT /api/v1/killswitch/agents/[agentId]": "responder",
  "DELETE /api/v1/killswitch/agents/[agentId]": "admin",
  "PUT /api/v1/killswitch/global": "responder",
  "DELETE /api/v1/killswitch/global": "admin",
  "GET /api/v1/agents/[agentId]/status": "ingest-key",
  "POST /api/v1/agents/[agentId]/tool-tokens": "ingest-key",
  "GET /api/v1/agents/[agentId]/tool-tokens": "viewer",
  "GET /api/v1/tool-tokens/revocations": "public",
  "GET /api/v1/tool-tokens/signing-keys": "admin",
  "POST /api/v1/tool-tokens/signing-keys": "admin",
  "POST /api/v1/agents/[agentId]/ack": "ingest-key",
  "GET /api/v1/alerts": "viewer",
  "GET /api/v1/alerts/[alertId]": "viewer",
  "POST /api/v1/alerts/[alertId]/acknowledge": "analyst",
  "POST /api/v1/alerts/[alertId]/resolve": "analyst",
  "GET /api/v1/agents/[agentId]/baseline": "viewer",
  "PUT /api/v1/agents/[agentId]/baseline": "admin",
  "POST /api/v1/agents/[agentId]/baseline/learn": "analyst",
  "GET /api/v1/agents/[agentId]/policy": "viewer",
  "PUT /api/v1/agents/[agentId]/policy": "admin",
  "DELETE /api/v1/agents/[agentId]/policy": "admin",
  "GET /api/v1/agents/[agentId]/policy/draft": "analyst",
  "GET /api/v1/policies": "viewer",
  "GET /api/v1/capabilities": "viewer",
  "POST /api/v1/capabilities": "admin",
  "DELETE /api/v1/capabilities/[capabilityId]": "admin",
  "GET /api/v1/canaries": "analyst",
  "POST /api/v1/canaries": "admin",
  "DELETE /api/v1/canaries/[canaryId]": "admin",
  "GET /api/v1/dashboard": "viewer",
  "GET /api/v1/notifications/destinations": "admin",
  "POST /api/v1/notifications/destinations": "admin",
  "PATCH /api/v1/notifications/destinations/[destinationId]": "admin",
  "DELETE /api/v1/notifications/destinations/[destinationId]": "admin",
  "POST /api/v1/notifications/destinations/[destinationId]/test": "admin",
  "POST /api/v1/notifications/destinations/[destinationId]/rotate-key": "admin",
  "GET /api/v1/notifications/deliveries": "admin",
  "GET /api/v1/notifications/escalation-roles": "admin",
  "POST /api/v1/notifications/escalation-roles": "admin",
  "DELETE /api/v1/notifications/escalation-roles/[mappingId]": "admin",
  "GET /api/v1/runbooks": "viewer",
  "POST /api/v1/runbooks": "admin",
  "GET /api/v1/runbooks/[runbookId]": "viewer",
  "GET /api/v1/incidents": "viewer",
  "POST /api/v1/incidents": "responder",
  "GET /api/v1/incidents/[incidentId]": "viewer",
  "GET /api/v1/incidents/[incidentId]/rotation-failures": "analyst",
  "POST /api/v1/incidents/[incidentId]/steps/[stepId]/run": "responder",
  "POST /api/v1/incidents/[incidentId]/steps/[stepId]/complete": "responder",
  "POST /api/v1/incidents/[incidentId]/steps/[stepId]/skip": "responder",
  "POST /api/v1/incidents/[incidentId]/status": "responder",
  "POST /api/v1/incidents/[incidentId]/comments": "analyst",
  "POST /api/v1/incidents/[incidentId]/page": "responder",
  "POST /api/v1/incidents/[incidentId]/alerts": "responder",
  "PUT /api/v1/incidents/[incidentId]/post-incident": "responder",
  "POST /api/v1/incidents/[incidentId]/owner": "responder",
  "GET /api/v1/credentials": "analyst",
  "POST /api/v1/credentials": "admin",
  "GET /api/v1/credentials/[credentialId]": "analyst",
  "PATCH /api/v1/credentials/[credentialId]": "admin",
  "DELETE /api/v1/credentials/[credentialId]": "admin",
  "GET /api/v1/rotations": "analyst",
  "POST /api/v1/rotations": "responder",
  "GET /api/v1/rotations/[rotationId]": "analyst",
  "POST /api/v1/rotations/[rotationId]/items/[itemId]/reveal": "responder",
  "POST /api/v1/rotations/[rotationId]/items/[itemId]/resolve": "responder",
  "GET /api/v1/openapi.json": "viewer",
  "GET /metrics": "viewer",
  "GET /.well-known/jwks.json": "public",
};

/** Long-lived streams: an allowed call answers at once but keeps its body open until the request is aborted. */
export const STREAMS: Record<string, Access> = {
  "GET /api/v1/killswitch/stream": "viewer",
  "GET /api/v1/agents/[agentId]/status/stream": "ingest-key",
  "GET /api/v1/tool-tokens/revocations/stream": "public",
};

/**
 * Routes about the signed-in person, which an API token may not use: a browser session calls them.
 * In the order a test calling every route calls them (callOrder): the sessions are listed and another
 * one ended; an authenticator is enrolled, then confirmed, then removed; the password changes and the
 * session ends last.
 */
export const SESSION_ROUTES = [
  "GET /api/v1/auth/sessions",
  "DELETE /api/v1/auth/sessions/[sessionId]",
  "GET /api/v1/auth/mfa",
  "POST /api/v1/auth/mfa/totp/enroll",
  "POST /api/v1/auth/mfa/totp/confirm",
  "DELETE /api/v1/auth/mfa/totp",
  "POST /api/v1/auth/password",
  "POST /api/v1/auth/sign-out",
];

/** Where a test calling every route once calls this one: removals after the rest, so what they end serves the others first, and the signed-in person's routes last. */
export function callOrder(route: { key: string; method: string }): number {
  const personal = SESSION_ROUTES.indexOf(route.key);
  return personal >= 0 ? 2 + personal : route.method === "DELETE" ? 1 : 0;
}

export const ROLE_ORDER: Role[] = ["viewer", "analyst", "responder", "admin"];

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const ROUTE_ROOTS = [path.join(process.cwd(), "app", "api", "v1"), path.join(process.cwd(), "app", "metrics"), path.join(process.cwd(), "app", ".well-known")];

export type RouteHandler = (req: Request, route?: { params: Promise<Record<string, string> | undefined> }) => Promise<Response>;

export interface Route {
  /** "METHOD /pattern", as ACCESS lists it. */
  key: string;
  /** The URL path with its dynamic segments in brackets: /api/v1/sessions/[sessionId]. */
  pattern: string;
  method: string;
  /** The names of the pattern's dynamic segments, in order. */
  paramNames: string[];
  handler: RouteHandler;
}

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "__tests__" ? [] : routeFiles(full);
    return name === "route.ts" ? [full] : [];
  });
}

/** Every route handler module under app/api/v1 and app/metrics, imported as Next.js would serve it. */
export async function discoverRoutes(): Promise<Route[]> {
  const found: Route[] = [];
  const appDir = path.join(process.cwd(), "app");
  for (const file of ROUTE_ROOTS.flatMap(routeFiles)) {
    const pattern = `/${path.relative(appDir, path.dirname(file)).split(path.sep).join("/")}`;
    const paramNames = [...pattern.matchAll(/\[(\w+)\]/g)].map((m) => m[1] ?? "");
    const mod = (await import(file)) as Record<string, unknown>;
    for (const method of METHODS) {
      const handler = mod[method];
      if (typeof handler === "function") found.push({ key: `${method} ${pattern}`, pattern, method, paramNames, handler: handler as RouteHandler });
    }
  }
  return found;
}

/** The URL Next.js would be asked for: each path parameter percent-encoded into its segment. */
export function routeUrl(route: Route, params: Record<string, string>, query = ""): string {
  const pathname = route.pattern.replace(/\[(\w+)\]/g, (_m, name: string) => encodeURIComponent((params[name] ?? "x").toWellFormed()));
  return `http://soc.test${pathname}${query}`;
}

/** Calls a route handler in-process the way Next.js does: the request, and the decoded path parameters (undefined for a route without any). */
export function callRoute(
  route: Route,
  opts: { params: Record<string, string>; query?: string; headers?: Record<string, string>; body?: BodyInit | null; signal?: AbortSignal },
): Promise<Response> {
  const request = new Request(routeUrl(route, opts.params, opts.query), {
    method: route.method,
    headers: opts.headers ?? {},
    body: route.method === "GET" ? undefined : opts.body,
    signal: opts.signal,
  });
  return route.handler(request, { params: Promise.resolve(route.paramNames.length > 0 ? opts.params : undefined) });
}
