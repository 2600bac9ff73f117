import { randomUUID } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { revokeApiToken } from "@/lib/auth";
import type { Role } from "@/lib/auth/roles";
import { testCtx, tokenFor } from "@/scripts/testing/fixtures";

/**
 * Every /api/v1 route and method, with who may call it. A new route fails this test until it is
 * listed here, so no route ships without a decision about its access.
 */
const ACCESS: Record<string, Role | "ingest-key" | "public"> = {
  "POST /api/v1/ingest": "ingest-key",
  "POST /api/v1/otlp/v1/traces": "ingest-key",
  "POST /api/v1/auth/sign-in": "public",
  "POST /api/v1/auth/sign-out": "viewer",
  "GET /api/v1/auth/me": "viewer",
  "POST /api/v1/auth/password": "viewer",
  "GET /api/v1/events": "viewer",
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
  "GET /api/v1/tokens": "admin",
  "POST /api/v1/tokens": "admin",
  "DELETE /api/v1/tokens/[tokenId]": "admin",
  "GET /api/v1/audit": "analyst",
  "GET /api/v1/audit/verify": "admin",
  "GET /api/v1/killswitch": "viewer",
  "GET /api/v1/agents/[agentId]/kill-policies": "viewer",
  "PUT /api/v1/agents/[agentId]/kill-policies": "admin",
  "PUT /api/v1/killswitch/agents/[agentId]": "responder",
  "DELETE /api/v1/killswitch/agents/[agentId]": "admin",
  "PUT /api/v1/killswitch/global": "responder",
  "DELETE /api/v1/killswitch/global": "admin",
  "GET /api/v1/agents/[agentId]/status": "ingest-key",
  "GET /api/v1/agents/[agentId]/status/stream": "ingest-key",
  "POST /api/v1/agents/[agentId]/ack": "ingest-key",
  "GET /api/v1/alerts": "viewer",
  "GET /api/v1/alerts/[alertId]": "viewer",
  "POST /api/v1/alerts/[alertId]/acknowledge": "analyst",
  "POST /api/v1/alerts/[alertId]/resolve": "analyst",
  "GET /api/v1/agents/[agentId]/baseline": "viewer",
  "PUT /api/v1/agents/[agentId]/baseline": "admin",
  "POST /api/v1/agents/[agentId]/baseline/learn": "analyst",
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
};

/** Long-lived streams are checked for their refusals only: an allowed call would hold the test open. */
const STREAMS: Record<string, Role> = { "GET /api/v1/killswitch/stream": "viewer" };

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const ROLE_ORDER: Role[] = ["viewer", "analyst", "responder", "admin"];
const API_DIR = path.join(process.cwd(), "app", "api", "v1");
const SAMPLE_PARAMS: Record<string, string> = {
  agentId: "route-access-no-such-agent",
  keyId: randomUUID(),
  userId: randomUUID(),
  tokenId: randomUUID(),
  sessionId: "route-access-no-such-session",
  alertId: "999999999",
  incidentId: "999999999",
  stepId: "immediate_actions.1",
  runbookId: randomUUID(),
  canaryId: randomUUID(),
  destinationId: randomUUID(),
  snapshotId: randomUUID(),
  credentialId: randomUUID(),
  rotationId: randomUUID(),
  itemId: randomUUID(),
  model: "route-access-no-such-model",
};

type Handler = (req: Request, route?: { params: Promise<Record<string, string>> }) => Promise<Response>;

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "__tests__" ? [] : routeFiles(full);
    return name === "route.ts" ? [full] : [];
  });
}

async function discoverRoutes(): Promise<{ key: string; pattern: string; method: string; handler: Handler }[]> {
  const found = [];
  for (const file of routeFiles(API_DIR)) {
    const pattern = `/api/v1/${path.relative(API_DIR, path.dirname(file)).split(path.sep).join("/")}`;
    const mod = (await import(file)) as Record<string, unknown>;
    for (const method of METHODS) {
      const handler = mod[method];
      if (typeof handler === "function") found.push({ key: `${method} ${pattern}`, pattern, method, handler: handler as Handler });
    }
  }
  return found;
}

function call(route: { pattern: string; method: string; handler: Handler }, headers: Record<string, string>): Promise<Response> {
  const params = Object.fromEntries(
    [...route.pattern.matchAll(/\[(\w+)\]/g)].map((m) => [m[1] ?? "", SAMPLE_PARAMS[m[1] ?? ""] ?? "x"]),
  );
  const url = `http://soc.test${route.pattern.replace(/\[(\w+)\]/g, (_m, name: string) => encodeURIComponent(params[name] ?? "x"))}`;
  const body = route.method === "GET" ? undefined : "{}";
  return route.handler(new Request(url, { method: route.method, headers: { "content-type": "application/json", ...headers }, body }), {
    params: Promise.resolve(params),
  });
}

describe("authorisation matrix for /api/v1", () => {
  const identities: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    for (const role of ROLE_ORDER) identities[role] = { authorization: `Bearer ${(await tokenFor(role)).token}` };
    const revoked = await tokenFor("admin");
    await revokeApiToken({ ctx: testCtx(), input: { tokenId: revoked.id, reason: "matrix test" } });
    identities.revoked = { authorization: `Bearer ${revoked.token}` };
    const expired = await tokenFor("admin", { expiresInDays: 1 });
    await appDb().execute(sql`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = ${expired.id}`);
    identities.expired = { authorization: `Bearer ${expired.token}` };
    identities.none = {};
  });

  it("lists every route that exists, and only those", async () => {
    const existing = (await discoverRoutes()).map((r) => r.key).sort();
    expect(existing).toEqual([...Object.keys(ACCESS), ...Object.keys(STREAMS)].sort());
  });

  it("refuses the console's event stream without an identity", async () => {
    const stream = (await discoverRoutes()).find((r) => r.key === "GET /api/v1/killswitch/stream");
    if (!stream) throw new Error("stream route missing");
    for (const who of ["none", "revoked", "expired"]) expect((await call(stream, identities[who] ?? {})).status).toBe(401);
  });

  it("refuses every protected route to callers without a valid identity (401) and to roles below the route's (403)", async () => {
    const failures: string[] = [];
    for (const route of await discoverRoutes()) {
      const need = ACCESS[route.key];
      if (need === undefined || need === "public" || need === "ingest-key") continue;
      for (const [who, headers] of Object.entries(identities)) {
        const status = (await call(route, headers)).status;
        const expected = ["none", "revoked", "expired"].includes(who)
          ? "401"
          : ROLE_ORDER.indexOf(who as Role) < ROLE_ORDER.indexOf(need)
            ? "403"
            : "allowed";
        const ok = expected === "allowed" ? status !== 401 && status !== 403 && status < 500 : String(status) === expected;
        if (!ok) failures.push(`${route.key} as ${who}: expected ${expected}, got ${status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("keeps API tokens out of the ingest door and ingest keys out of the API", async () => {
    const routes = await discoverRoutes();
    const ingest = routes.find((r) => r.key === "POST /api/v1/ingest");
    const events = routes.find((r) => r.key === "GET /api/v1/events");
    if (!ingest || !events) throw new Error("ingest or events route missing");
    expect((await call(ingest, identities.admin ?? {})).status).toBe(401);
    expect((await call(events, { authorization: "Bearer soc_ik_not-an-api-token" })).status).toBe(401);
    const agentDoors = routes.filter((r) => ACCESS[r.key] === "ingest-key");
    const failures: string[] = [];
    for (const door of agentDoors) {
      for (const who of ["admin", "none", "revoked"]) {
        const status = (await call(door, identities[who] ?? {})).status;
        if (status !== 401) failures.push(`${door.key} as ${who}: expected 401, got ${status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("opens the agent door only to the ingest key of the agent in the path", async () => {
    const { newAgent } = await import("@/scripts/testing/fixtures");
    const own = await newAgent();
    const other = await newAgent();
    const routes = await discoverRoutes();
    for (const key of ["GET /api/v1/agents/[agentId]/status", "POST /api/v1/agents/[agentId]/ack"]) {
      const route = routes.find((r) => r.key === key);
      if (!route) throw new Error(`${key} missing`);
      const at = (agentId: string, token: string | null) =>
        route.handler(
          new Request(`http://soc.test/api/v1/agents/${agentId}/x`, { method: route.method, headers: token ? { authorization: `Bearer ${token}` } : {} }),
          { params: Promise.resolve({ agentId }) },
        );
      expect((await at(own.agentId, null)).status).toBe(401);
      expect((await at(own.agentId, identities.admin?.authorization?.slice(7) ?? "")).status).toBe(401);
      expect((await at(own.agentId, other.key)).status).toBe(403);
      expect((await at(own.agentId, own.key)).status).toBe(200);
    }
  });
});
