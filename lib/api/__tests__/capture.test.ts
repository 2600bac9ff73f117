import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { it } from "vitest";
import { liftAll } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";
import { testCtx, tokenFor } from "@/scripts/testing/fixtures";
import { buildRouteWorld, worldRunbookYaml } from "@/scripts/testing/route-world";
import { ACCESS, SESSION_ROUTES, STREAMS, callRoute, discoverRoutes, type Route } from "@/scripts/testing/routes";

it("captures", async () => {
  const routes = await discoverRoutes();
  const world = await buildRouteWorld("capture");
  const admin = { authorization: `Bearer ${(await tokenFor("admin")).token}` };
  const out: Record<string, unknown> = {};
  const order = (r: Route) => (SESSION_ROUTES.includes(r.key) ? 2 : r.method === "DELETE" ? 1 : 0);
  for (const route of [...routes].sort((a, b) => order(a) - order(b))) {
    const need = ACCESS[route.key] ?? STREAMS[route.key];
    const identity = need === "public" ? {} : need === "ingest-key" ? { authorization: `Bearer ${world.door.key}` } : SESSION_ROUTES.includes(route.key) ? { cookie: world.sessions.admin, origin: "http://soc.test" } : admin;
    const yaml = route.key === "POST /api/v1/runbooks";
    const res = await callRoute(route, {
      params: world.paramsFor(route.key),
      headers: { "content-type": yaml ? "application/yaml" : "application/json", ...identity },
      body: yaml ? worldRunbookYaml(`cap_${randomUUID().slice(0, 8)}`) : JSON.stringify(world.bodyFor(route.key) ?? {}),
    });
    if (route.key in STREAMS) { out[route.key] = { status: res.status, type: res.headers.get("content-type") }; await res.body?.cancel(); continue; }
    const text = await res.text();
    let body: unknown = text.slice(0, 3000);
    try { body = JSON.parse(text); } catch {}
    out[route.key] = { status: res.status, type: res.headers.get("content-type"), body };
  }
  writeFileSync("/tmp/captured.json", JSON.stringify(out, null, 1));
  await liftAll({ ctx: testCtx(), settings: { redis: appRedis() }, input: { reason: "x" } }).catch(() => undefined);
}, 300_000);
