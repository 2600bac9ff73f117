import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { revokeApiToken } from "@/lib/auth";
import type { Role } from "@/lib/auth/roles";
import { liftAll } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";
import { newAgent, testCtx, tokenFor } from "@/scripts/testing/fixtures";
import { buildRouteWorld, type RouteWorld, worldRunbookYaml } from "@/scripts/testing/route-world";
import { ACCESS, callOrder, callRoute, discoverRoutes, ROLE_ORDER, type Route, SESSION_ROUTES, STREAMS } from "@/scripts/testing/routes";

/** Ids of nothing: a refusal must come before the route looks anything up. */
const NO_SUCH: Record<string, string> = {
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
};

function emptyCall(route: Route, headers: Record<string, string>): Promise<Response> {
  return callRoute(route, { params: NO_SUCH, headers: { "content-type": "application/json", ...headers }, body: "{}" });
}

/** Answers a long-lived stream with its status, then leaves. */
async function statusOf(res: Response): Promise<number> {
  await res.body?.cancel();
  return res.status;
}

describe("authorisation matrix for /api/v1 and /metrics", () => {
  const identities: Record<string, Record<string, string>> = {};
  let routes: Route[];

  beforeAll(async () => {
    routes = await discoverRoutes();
    for (const role of ROLE_ORDER) identities[role] = { authorization: `Bearer ${(await tokenFor(role)).token}` };
    const revoked = await tokenFor("admin");
    await revokeApiToken({ ctx: testCtx(), input: { tokenId: revoked.id, reason: "matrix test" } });
    identities.revoked = { authorization: `Bearer ${revoked.token}` };
    const expired = await tokenFor("admin", { expiresInDays: 1 });
    await appDb().execute(sql`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = ${expired.id}`);
    identities.expired = { authorization: `Bearer ${expired.token}` };
    identities.none = {};
  });

  const routeByKey = (key: string): Route => {
    const route = routes.find((r) => r.key === key);
    if (!route) throw new Error(`${key} missing`);
    return route;
  };

  it("lists every route that exists, and only those", () => {
    expect(routes.map((r) => r.key).sort()).toEqual([...Object.keys(ACCESS), ...Object.keys(STREAMS)].sort());
  });

  it("refuses the console's event stream without an identity", async () => {
    const stream = routeByKey("GET /api/v1/killswitch/stream");
    for (const who of ["none", "revoked", "expired"]) expect(await statusOf(await emptyCall(stream, identities[who] ?? {}))).toBe(401);
    expect(await statusOf(await emptyCall(stream, identities.viewer ?? {}))).toBe(200);
  });

  it("refuses every protected route to callers without a valid identity (401) and to roles below the route's (403)", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const need = ACCESS[route.key];
      if (need === undefined || need === "public" || need === "ingest-key") continue;
      for (const [who, headers] of Object.entries(identities)) {
        const status = (await emptyCall(route, headers)).status;
        const expected = ["none", "revoked", "expired"].includes(who) ? "401" : ROLE_ORDER.indexOf(who as Role) < ROLE_ORDER.indexOf(need) ? "403" : "allowed";
        const ok = expected === "allowed" ? status !== 401 && status !== 403 && status < 500 : String(status) === expected;
        if (!ok) failures.push(`${route.key} as ${who}: expected ${expected}, got ${status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  describe("with real records behind every id", () => {
    let world: RouteWorld;
    const sessions: Record<string, Record<string, string>> = {};

    beforeAll(async () => {
      world = await buildRouteWorld("matrix");
      for (const role of ROLE_ORDER) sessions[role] = { cookie: world.sessions[role], origin: "http://soc.test" };
    }, 120_000);

    afterAll(async () => {
      await liftAll({ ctx: testCtx(), settings: { redis: appRedis() }, input: { reason: "matrix over" } }).catch(() => undefined);
    });

    /** The identity of exactly `role` for this route: a browser session for the routes about the signed-in person. */
    const as = (route: Route, role: Role) => (SESSION_ROUTES.includes(route.key) ? sessions[role] : identities[role]) ?? {};

    async function call(route: Route, identity: Record<string, string>): Promise<Response> {
      const yaml = route.key === "POST /api/v1/runbooks";
      const body = await world.bodyFor(route.key);
      return callRoute(route, {
        params: world.paramsFor(route.key),
        headers: { "content-type": yaml ? "application/yaml" : "application/json", ...identity },
        body: yaml ? worldRunbookYaml(`matrix_${randomUUID().slice(0, 8)}`) : JSON.stringify(body ?? {}),
      });
    }

    it("lets a caller with exactly the route's minimum role through (2xx), and refuses one role below (403)", async () => {
      const failures: string[] = [];
      for (const route of [...routes].sort((a, b) => callOrder(a) - callOrder(b))) {
        const need = ACCESS[route.key] ?? STREAMS[route.key];
        if (need === undefined) throw new Error(`${route.key} is not in the route list`);
        const identity = need === "public" ? {} : need === "ingest-key" ? { authorization: `Bearer ${world.door.key}` } : as(route, need);
        if (need !== "public" && need !== "ingest-key" && need !== "viewer") {
          const below = ROLE_ORDER[ROLE_ORDER.indexOf(need) - 1] ?? "viewer";
          const refused = await statusOf(await call(route, as(route, below)));
          if (refused !== 403) failures.push(`${route.key} as ${below}: expected 403, got ${refused}`);
        }
        const res = await call(route, identity);
        const status = route.key in STREAMS ? await statusOf(res) : res.status;
        const text = route.key in STREAMS ? "" : await res.text();
        if (status < 200 || status > 299) failures.push(`${route.key} as ${need}: expected 2xx, got ${status} ${text.slice(0, 200)}`);
      }
      expect(failures).toEqual([]);
    }, 120_000);
  });

  it("keeps API tokens out of the agent doors and ingest keys out of the API", async () => {
    expect((await emptyCall(routeByKey("GET /api/v1/events"), { authorization: "Bearer soc_ik_not-an-api-token" })).status).toBe(401);
    const failures: string[] = [];
    for (const door of routes.filter((r) => ACCESS[r.key] === "ingest-key" || STREAMS[r.key] === "ingest-key")) {
      for (const who of ["admin", "none", "revoked"]) {
        const status = await statusOf(await emptyCall(door, identities[who] ?? {}));
        if (status !== 401) failures.push(`${door.key} as ${who}: expected 401, got ${status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("opens the agent door only to the ingest key of the agent in the path", async () => {
    const own = await newAgent();
    const other = await newAgent();
    for (const key of ["GET /api/v1/agents/[agentId]/status", "POST /api/v1/agents/[agentId]/ack"]) {
      const route = routeByKey(key);
      const at = (agentId: string, token: string | null) =>
        callRoute(route, { params: { agentId }, headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect((await at(own.agentId, null)).status).toBe(401);
      expect((await at(own.agentId, identities.admin?.authorization?.slice(7) ?? "")).status).toBe(401);
      expect((await at(own.agentId, other.key)).status).toBe(403);
      expect((await at(own.agentId, own.key)).status).toBe(200);
    }
  });
});
