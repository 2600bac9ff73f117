import { randomUUID } from "node:crypto";
import { fromJson, toBinary } from "@bufbuild/protobuf";
import { Ajv2020 } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument, type OpenApiDocument } from "@/lib/api/document";
import { API_OPERATIONS } from "@/lib/api/operations";
import type { Role } from "@/lib/auth/roles";
import { liftAll } from "@/lib/killswitch";
import { ExportTraceServiceRequestSchema } from "@/lib/otlp/proto/gen/otlp_trace_pb";
import { appRedis } from "@/lib/redis";
import { newAgent, testCtx, tokenFor } from "@/scripts/testing/fixtures";
import { buildRouteWorld, type RouteWorld, worldRunbookYaml } from "@/scripts/testing/route-world";
import { ACCESS, callOrder, callRoute, discoverRoutes, ROLE_ORDER, type Route, SESSION_ROUTES, STREAMS } from "@/scripts/testing/routes";

/**
 * The published OpenAPI document against the routes themselves: every route file and method is in
 * it with the access the route enforces, and real answers of every route (successes and errors)
 * validate against the schemas it states, with a JSON Schema 2020-12 validator.
 */

const DOC_ID = "https://agentsoc.test/openapi.json";
const docPath = (pattern: string) => pattern.replace(/\[(\w+)\]/g, "{$1}");
const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
const mediaType = (header: string | null) => (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

/** Ids of nothing, in the form each route expects: what a lookup of a missing record answers. */
const NO_SUCH: Record<string, string> = {
  agentId: "openapi-no-such-agent",
  keyId: randomUUID(),
  userId: randomUUID(),
  tokenId: randomUUID(),
  sessionId: "openapi-no-such-session",
  alertId: "999999999",
  incidentId: "999999999",
  stepId: "immediate_actions.1",
  runbookId: randomUUID(),
  canaryId: randomUUID(),
  capabilityId: randomUUID(),
  destinationId: randomUUID(),
  snapshotId: randomUUID(),
  credentialId: randomUUID(),
  rotationId: randomUUID(),
  itemId: randomUUID(),
  model: "openapi-no-such-model",
};

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  "x-agentsoc-access"?: string;
  "x-agentsoc-min-role"?: string;
}

describe("the OpenAPI document", () => {
  let doc: OpenApiDocument;
  let routes: Route[];
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("binary", true);

  const operationOf = (route: Route): Operation | undefined =>
    (doc.paths[docPath(route.pattern)] as Record<string, Operation> | undefined)?.[route.method.toLowerCase()];

  beforeAll(async () => {
    doc = buildOpenApiDocument();
    ajv.addSchema(doc, DOC_ID);
    routes = await discoverRoutes();
  });

  it("is OpenAPI 3.1 with a shared error shape and the three ways in", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components?.schemas?.Error).toBeDefined();
    expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual(["apiToken", "ingestKey", "session"]);
  });

  it("describes every route file and method, and nothing else", () => {
    const served = routes.map((r) => `${r.method} ${docPath(r.pattern)}`).sort();
    const described = API_OPERATIONS.map((op) => `${op.method} ${op.path}`).sort();
    expect(described).toEqual(served);
    for (const route of routes) expect(operationOf(route), route.key).toBeDefined();
  });

  it("states for each operation the access the route enforces (the route matrix's list)", () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      const op = operationOf(route);
      const enforced = ACCESS[route.key] ?? STREAMS[route.key];
      if (op?.["x-agentsoc-access"] !== enforced) mismatches.push(`${route.key}: document ${op?.["x-agentsoc-access"]}, route ${enforced}`);
      const role = ROLE_ORDER.includes(enforced as Role) ? enforced : undefined;
      if (op?.["x-agentsoc-min-role"] !== role) mismatches.push(`${route.key}: x-agentsoc-min-role ${op?.["x-agentsoc-min-role"]}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("holds schemas a JSON Schema 2020-12 validator compiles", () => {
    const failures: string[] = [];
    // Each distinct schema once: most error answers are the same reference to Error.
    const compiled = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths) as [string, Record<string, Operation>][]) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          for (const [type, media] of Object.entries(response.content ?? {})) {
            const text = JSON.stringify(media.schema);
            if (compiled.has(text)) continue;
            compiled.add(text);
            try {
              ajv.getSchema(`${DOC_ID}#/${pointer("paths", path, method, "responses", status, "content", type, "schema")}`);
            } catch (err) {
              failures.push(`${method} ${path} ${status} ${type}: ${String(err)}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  describe("against real answers of every route", () => {
    let world: RouteWorld;
    const tokens: Record<string, Record<string, string>> = {};
    const sessions: Record<string, Record<string, string>> = {};
    const problems: string[] = [];
    const seen = new Set<string>();

    beforeAll(async () => {
      world = await buildRouteWorld("openapi");
      for (const role of ROLE_ORDER) {
        tokens[role] = { authorization: `Bearer ${(await tokenFor(role)).token}` };
        sessions[role] = { cookie: world.sessions[role], origin: "http://soc.test" };
      }
    }, 120_000);

    afterAll(async () => {
      await liftAll({ ctx: testCtx(), settings: { redis: appRedis() }, input: { reason: "openapi test over" } }).catch(() => undefined);
    });

    const as = (route: Route, access: string): Record<string, string> => {
      if (access === "public") return {};
      if (access === "ingest-key") return { authorization: `Bearer ${world.door.key}` };
      return (SESSION_ROUTES.includes(route.key) ? sessions[access] : tokens[access]) ?? {};
    };
    const accessOf = (route: Route) => ACCESS[route.key] ?? STREAMS[route.key] ?? "public";

    /** Checks one answer against the document: its status, its media type and, for JSON, its body. */
    async function check(route: Route, what: string, res: Response): Promise<void> {
      const op = operationOf(route);
      const status = String(res.status);
      const type = mediaType(res.headers.get("content-type"));
      const streaming = route.key in STREAMS && res.status < 300;
      const body = streaming ? "" : await res.text();
      await res.body?.cancel().catch(() => undefined);
      seen.add(`${route.key} ${status}`);
      const response = op?.responses?.[status];
      if (!response) return void problems.push(`${route.key} ${what}: status ${status} is not in the document (${body.slice(0, 200)})`);
      if (!response.content?.[type])
        return void problems.push(
          `${route.key} ${what}: ${status} answered ${type || "no content type"}, the document says ${Object.keys(response.content ?? {}).join(", ")}`,
        );
      if (type !== "application/json") return;
      const validate = ajv.getSchema(
        `${DOC_ID}#/${pointer("paths", docPath(route.pattern), route.method.toLowerCase(), "responses", status, "content", type, "schema")}`,
      );
      if (!validate) return void problems.push(`${route.key} ${what}: no schema for ${status}`);
      if (!validate(JSON.parse(body))) problems.push(`${route.key} ${what} ${status}: ${ajv.errorsText(validate.errors, { separator: "; " })}`);
    }

    async function call(route: Route, opts: { headers: Record<string, string>; params?: Record<string, string>; query?: string; body?: BodyInit }) {
      const yaml = route.key === "POST /api/v1/runbooks";
      return callRoute(route, {
        params: opts.params ?? world.paramsFor(route.key),
        query: opts.query,
        headers: { "content-type": yaml ? "application/yaml" : "application/json", ...opts.headers },
        body: opts.body ?? (yaml ? worldRunbookYaml(`openapi_${randomUUID().slice(0, 8)}`) : JSON.stringify((await world.bodyFor(route.key)) ?? {})),
      });
    }

    it("validates each route's errors: no credential, a role too low, a refused parameter, a missing record, a body too large, a wrong media type", async () => {
      const other = await newAgent({ prefix: "openapi-other" });
      for (const route of routes) {
        const access = accessOf(route);
        const identity = as(route, access);
        await check(route, "with a NUL in the query", await call(route, { headers: identity, query: "?fuzz=%00" }));
        if (access !== "public") await check(route, "without a credential", await call(route, { headers: {} }));
        if (ROLE_ORDER.includes(access as Role) && access !== "viewer") {
          const below = ROLE_ORDER[ROLE_ORDER.indexOf(access as Role) - 1] ?? "viewer";
          await check(route, `as ${below}`, await call(route, { headers: as(route, below) }));
        }
        if (access === "ingest-key" && route.paramNames.includes("agentId")) {
          await check(route, "with another agent's key", await call(route, { headers: { authorization: `Bearer ${other.key}` } }));
        }
        if (route.paramNames.length > 0) await check(route, "for ids of nothing", await call(route, { headers: identity, params: NO_SUCH }));
        // Only where a body is read: a route that reads none would act on the call.
        const readsJson = Boolean(operationOf(route)?.requestBody?.content?.["application/json"]);
        if (readsJson && !route.key.includes("/ingest") && !route.key.includes("/otlp/")) {
          await check(route, "with a body past 64 KiB", await call(route, { headers: identity, body: JSON.stringify({ reason: "x".repeat(70_000) }) }));
        }
        if (route.key.includes("/ingest") || route.key.includes("/otlp/") || route.key === "POST /api/v1/runbooks") {
          await check(
            route,
            "with a media type it does not read",
            await call(route, { headers: { ...identity, "content-type": route.key.includes("/runbooks") ? "application/json" : "text/csv" } }),
          );
        }
      }
      expect(problems).toEqual([]);
    }, 180_000);

    it("validates each route's answer to its minimum role (2xx), and the OTLP door's protobuf answer", async () => {
      problems.length = 0;
      for (const route of [...routes].sort((a, b) => callOrder(a) - callOrder(b))) {
        const res = await call(route, { headers: as(route, accessOf(route)) });
        if (res.status < 200 || res.status > 299) problems.push(`${route.key}: expected 2xx, got ${res.status} ${(await res.text()).slice(0, 200)}`);
        else await check(route, `as ${accessOf(route)}`, res);
      }
      const otlp = routes.find((r) => r.key === "POST /api/v1/otlp/v1/traces");
      if (!otlp) throw new Error("no OTLP route");
      const protobuf = toBinary(ExportTraceServiceRequestSchema, fromJson(ExportTraceServiceRequestSchema, (await world.bodyFor(otlp.key)) as never));
      await check(otlp, "as protobuf", await call(otlp, { headers: { ...as(otlp, "ingest-key"), "content-type": "application/x-protobuf" }, body: protobuf }));
      await check(
        otlp,
        "as protobuf with a NUL in the query",
        await call(otlp, { headers: { ...as(otlp, "ingest-key"), "content-type": "application/x-protobuf" }, body: protobuf, query: "?x=%00" }),
      );
      expect(problems).toEqual([]);
      // Every route answered with a success the document describes.
      const succeeded = routes.filter((r) => [...seen].some((s) => s.startsWith(`${r.key} 2`)));
      expect(succeeded.map((r) => r.key).sort()).toEqual(routes.map((r) => r.key).sort());
    }, 180_000);

    it("accepts as request bodies what the routes accept", async () => {
      const failures: string[] = [];
      for (const route of routes) {
        const body = await world.bodyFor(route.key);
        if (body === undefined) continue;
        const schema = operationOf(route)?.requestBody?.content?.["application/json"];
        if (!schema) {
          failures.push(`${route.key}: the route reads a JSON body the document does not describe`);
          continue;
        }
        const validate = ajv.getSchema(
          `${DOC_ID}#/${pointer("paths", docPath(route.pattern), route.method.toLowerCase(), "requestBody", "content", "application/json", "schema")}`,
        );
        if (validate && !validate(body)) failures.push(`${route.key}: ${ajv.errorsText(validate.errors)}`);
      }
      expect(failures).toEqual([]);
    });
  });
});
