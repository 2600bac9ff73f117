import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { verifyAuditChain } from "@/lib/audit";
import { liftAll } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";
import { testCtx, tokenFor } from "@/scripts/testing/fixtures";
import { buildRouteWorld, type RouteWorld, worldRunbookYaml } from "@/scripts/testing/route-world";
import { ACCESS, callRoute, discoverRoutes, type Route, SESSION_ROUTES, STREAMS } from "@/scripts/testing/routes";

/**
 * Hostile input on every route: path parameters, query parameters, headers and bodies, from a
 * fixed corpus (no randomness, so a failure repeats). No answer may be a 5xx, and a validation
 * error must name what it refuses.
 */

interface Hostile {
  label: string;
  value: unknown;
}

const MB = "A".repeat(1024 * 1024);
const nested = (depth: number): unknown => {
  let value: unknown = "deep";
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { d: value };
  return value;
};

/** Path parameters as Next.js hands them over (decoded): what PostgreSQL cannot store, what URLs and numbers mean. */
const PATH_VALUES: Hostile[] = [
  { label: "NUL", value: "fuzz\u0000value" },
  { label: "lone surrogate", value: "fuzz\ud800value" },
  { label: "bad percent-encoding", value: "%E0%A4%A" },
  { label: "encoded NUL", value: "%00" },
  { label: "percent", value: "100%" },
  { label: "encoded percent", value: "%25" },
  { label: "dot segments", value: "../../etc/passwd" },
  { label: "URL syntax", value: "a/b?c=d#e f" },
  { label: "unicode", value: "💥 ünïcødé \u202e" },
  { label: "1 MB", value: MB },
  { label: "beyond int8", value: "99999999999999999999" },
  { label: "negative", value: "-1" },
  { label: "zero UUID", value: "00000000-0000-0000-0000-000000000000" },
];

/** Body values: hostile text, and every JSON type where another is expected. */
const JSON_VALUES: Hostile[] = [
  { label: "NUL", value: "fuzz\u0000value" },
  { label: "lone surrogate", value: "fuzz\udc00value" },
  { label: "bad percent-encoding", value: "%E0%A4%A" },
  { label: "unicode", value: "💥 ünïcødé \u202e" },
  { label: "empty", value: "" },
  { label: "blank", value: "   " },
  { label: "1 MB", value: MB },
  { label: "beyond int8 as text", value: "99999999999999999999" },
  { label: "zero UUID", value: "00000000-0000-0000-0000-000000000000" },
  { label: "shell", value: "$(touch /tmp/fuzz) `id` ${HOME}" },
  { label: "-1", value: -1 },
  { label: "1.5", value: 1.5 },
  { label: "1e308", value: 1e308 },
  { label: "2^63", value: 2 ** 63 },
  { label: "true", value: true },
  { label: "null", value: null },
  { label: "empty array", value: [] },
  { label: "empty object", value: {} },
  { label: "array with NUL", value: ["\u0000"] },
  { label: "object with NUL key", value: { "\u0000": "x" } },
  { label: "object with lone surrogate", value: { a: { b: "\ud800" } } },
  { label: "nested 40 levels", value: nested(40) },
  { label: "array of numbers", value: [1, 2, 3] },
];

/** For a field no route reads: only what the shared body reader must refuse. */
const UNKNOWN_FIELD_VALUES = JSON_VALUES.filter((h) => ["NUL", "object with NUL key", "nested 40 levels"].includes(h.label));

/**
 * Each call these routes accept hashes a password (scrypt, ~60 ms): one accepted text stands for
 * the texts the other routes try, the values refused before hashing are all tried.
 */
const PASSWORD_ROUTES = ["POST /api/v1/auth/sign-in", "POST /api/v1/auth/password", "POST /api/v1/users", "POST /api/v1/users/[userId]/reset-password"];
const PASSWORD_ROUTE_VALUES = JSON_VALUES.filter((h) => typeof h.value !== "string" || ["NUL", "lone surrogate", "unicode", "1 MB"].includes(h.label));

/** Query values as they appear in the URL: some are not valid percent-encoding at all. */
const QUERY_VALUES: Hostile[] = [
  { label: "NUL", value: "fuzz%00value" },
  { label: "bad percent-encoding", value: "%E0%A4%A" },
  { label: "lone percent", value: "%" },
  { label: "%zz", value: "%zz" },
  { label: "encoded surrogate", value: "%ED%A0%80" },
  { label: "overlong NUL", value: "%C0%80" },
  { label: "1 MB", value: MB },
  { label: "unicode", value: encodeURIComponent("💥 ünïcødé") },
  { label: "empty", value: "" },
  { label: "percent", value: "100%25" },
  { label: "beyond int8", value: "99999999999999999999" },
  { label: "beyond float", value: "1e309" },
  { label: "negative", value: "-1" },
  { label: "fraction", value: "1.5" },
  { label: "NaN", value: "NaN" },
  { label: "zero UUID", value: "00000000-0000-0000-0000-000000000000" },
];

/** For a parameter no route reads: only what the shared query check must refuse. */
const UNKNOWN_QUERY_VALUES = QUERY_VALUES.filter((h) => ["NUL", "bad percent-encoding", "encoded surrogate", "1 MB"].includes(h.label));

const RAW_BODIES: Hostile[] = [
  { label: "empty", value: "" },
  { label: "truncated JSON", value: '{"reason": "fu' },
  { label: "null", value: "null" },
  { label: "array", value: "[]" },
  { label: "array of objects", value: "[{}]" },
  { label: "string", value: '"fuzz"' },
  { label: "number", value: "42" },
  { label: "trailing garbage", value: '{"a":1}garbage' },
  { label: "escaped NUL value", value: '{"reason":"\\u0000","note":"\\u0000","text":"\\u0000"}' },
  { label: "escaped lone surrogate key", value: '{"\\ud800":"x"}' },
  { label: "proto key", value: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' },
  { label: "nested 20000 levels", value: `${"[".repeat(20_000)}${"]".repeat(20_000)}` },
  { label: "nested 100000 levels", value: `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}` },
  { label: "1 MB string", value: JSON.stringify({ reason: MB }) },
  { label: "invalid UTF-8", value: new Uint8Array([0x7b, 0x22, 0x72, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]) },
];

/** A runbook's step title as YAML writes it: escapes reach what JSON and URLs cannot. */
const YAML_STEP_TITLES: Hostile[] = [
  { label: "NUL escape", value: '"kill \\0 switch"' },
  { label: "lone surrogate escape", value: '"kill \\ud800 switch"' },
  { label: "1 MB", value: `"${MB}"` },
  { label: "number", value: "12" },
  { label: "list", value: "[a, b]" },
  { label: "map", value: "{a: b}" },
  { label: "null", value: "null" },
  { label: "alias", value: "*nothing" },
];

/** Whole runbook bodies that are not a runbook. */
const YAML_BODIES: Hostile[] = [
  { label: "empty", value: "" },
  { label: "scalar", value: "just text" },
  { label: "invalid YAML", value: "a: [b\n  c: }" },
  { label: "raw NUL", value: "a: \u0000" },
  {
    label: "alias bomb",
    value: `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`,
  },
  { label: "nested 10000 levels", value: `${"[".repeat(10_000)}${"]".repeat(10_000)}` },
  { label: "key with NUL escape", value: 'r:\n  severity: low\n  "\\0": []\n' },
];

/** Header variants laid over the route's identity (an `authorization` here replaces it). */
const HEADERS: { label: string; headers: Record<string, string> }[] = [
  { label: "bare Bearer", headers: { authorization: "Bearer" } },
  { label: "Basic", headers: { authorization: "Basic YWRtaW46YWRtaW4=" } },
  { label: "latin-1 token", headers: { authorization: "Bearer \xff\xfe\xfd" } },
  { label: "huge token", headers: { authorization: `Bearer ${"A".repeat(100_000)}` } },
  { label: "latin-1 forwarded-for", headers: { "x-forwarded-for": "\xff\xfe" } },
  { label: "forwarded-for text", headers: { "x-forwarded-for": "not-an-address, , ," } },
  { label: "forwarded-for huge", headers: { "x-forwarded-for": "9".repeat(10_000) } },
  { label: "foreign origin", headers: { origin: "http://evil.test" } },
  { label: "latin-1 origin", headers: { origin: "\xff" } },
  { label: "latin-1 forwarded host", headers: { "x-forwarded-host": "\xff", "x-forwarded-proto": "javascript" } },
  { label: "latin-1 cookie", headers: { cookie: "soc_session=\xff" } },
  { label: "huge cookie", headers: { cookie: `soc_session=${"A".repeat(10_000)}` } },
  { label: "latin-1 user-agent", headers: { "user-agent": "\xff".repeat(1000) } },
];

/** Header variants that only matter where a body is read. */
const BODY_HEADERS: { label: string; headers: Record<string, string> }[] = [
  { label: "text/plain", headers: { "content-type": "text/plain" } },
  { label: "ndjson", headers: { "content-type": "application/x-ndjson" } },
  { label: "multipart", headers: { "content-type": "multipart/form-data; boundary=x" } },
  { label: "latin-1 content-type", headers: { "content-type": "application/json; charset=\xff" } },
  { label: "no content-type", headers: { "content-type": "" } },
  { label: "gzip that is not gzip", headers: { "content-encoding": "gzip" } },
  { label: "brotli", headers: { "content-encoding": "br" } },
  { label: "double gzip", headers: { "content-encoding": "gzip, gzip" } },
  { label: "latin-1 encoding", headers: { "content-encoding": "\xff" } },
];

/** The query parameters each route reads; every route also gets one it does not know. */
const QUERY_PARAMS: Record<string, string[]> = {
  "GET /api/v1/events": ["agent_id", "session_id", "action_type", "tool_name", "since", "until", "limit", "cursor"],
  "GET /api/v1/alerts": ["agent_id", "session_id", "type", "severity", "status", "before_id", "limit"],
  "GET /api/v1/audit": ["actor", "action", "target_type", "target_id", "since", "until", "limit", "before_id"],
  "GET /api/v1/sessions/[sessionId]/timeline": ["agent_id", "action_type", "limit", "cursor"],
  "GET /api/v1/agents/[agentId]/communications": ["since"],
  "GET /api/v1/sessions/[sessionId]/snapshots": ["agent_id"],
  "GET /api/v1/canaries": ["agent_id", "include_retired"],
  "GET /api/v1/credentials": ["agent_id"],
  "GET /api/v1/incidents": ["status"],
  "GET /api/v1/rotations": ["agent_id", "incident_id"],
  "GET /api/v1/runbooks/[runbookId]": ["version"],
  "GET /api/v1/notifications/deliveries": ["destination_id", "status", "before_id", "limit"],
  "GET /api/v1/dashboard": ["range"],
};

const WRONG_PASSWORD_CHANGE = { current_password: "not the password", new_password: "a long enough new password" };

/** Lower case without spaces, "_" or "-": "incident id", "incidentId" and "incident_id" all read "incidentid". */
const squash = (text: string) => text.toLowerCase().replace(/[\s_-]/g, "");

function errorMessage(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof body.error?.message === "string" ? body.error.message : null;
  } catch {
    return null;
  }
}

interface Case {
  what: string;
  params?: Record<string, string>;
  query?: string;
  headers?: Record<string, string>;
  body?: BodyInit;
  /** The parameter a validation error must name. */
  names?: string;
}

describe("fuzz pass over every route", () => {
  let routes: Route[];
  let world: RouteWorld;
  const identities: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    routes = await discoverRoutes();
    world = await buildRouteWorld("fuzz");
    identities.admin = { authorization: `Bearer ${(await tokenFor("admin")).token}` };
    identities["ingest-key"] = { authorization: `Bearer ${world.door.key}` };
    identities.public = {};
    identities.cookie = { cookie: world.sessions.admin, origin: "http://soc.test" };
  }, 120_000);

  afterAll(async () => {
    // The pass may have killed every agent: later test files must not find the global kill on.
    await liftAll({ ctx: testCtx(), settings: { redis: appRedis() }, input: { reason: "fuzz pass over" } }).catch(() => undefined);
  });

  it("answers no 5xx, and names the refused parameter, whatever arrives", async () => {
    const failures: string[] = [];
    // Deletions last, and signing out after everything else, so the records they remove serve the other routes first.
    const order = (r: Route) => (r.key.endsWith("/sign-out") ? 2 : r.method === "DELETE" ? 1 : 0);
    const ordered = [...routes].sort((a, b) => order(a) - order(b));
    let calls = 0;

    for (const route of ordered) {
      const access = ACCESS[route.key] ?? STREAMS[route.key];
      if (!access) throw new Error(`${route.key} is not in the route list`);
      const identity =
        (access === "public" || access === "ingest-key" ? identities[access] : SESSION_ROUTES.includes(route.key) ? identities.cookie : identities.admin) ?? {};
      const params = world.paramsFor(route.key);
      // A password change that succeeded once would refuse every later call for its current password, not for the hostile value.
      const base = (route.key === "POST /api/v1/auth/password" ? WRONG_PASSWORD_CHANGE : await world.bodyFor(route.key)) ?? {};
      const json = (value: unknown) => JSON.stringify(value);
      // First the route as a well-behaved caller uses it: a refusal it gives anyway is not the hostile value's.
      const cases: Case[] = [{ what: "well-behaved" }];
      let refusedAnyway: string | null = null;

      for (const name of route.paramNames) {
        for (const h of PATH_VALUES) cases.push({ what: `path ${name} = ${h.label}`, params: { ...params, [name]: String(h.value) }, names: name });
      }
      for (const name of QUERY_PARAMS[route.key] ?? []) {
        for (const h of QUERY_VALUES) cases.push({ what: `query ${name} = ${h.label}`, query: `?${name}=${String(h.value)}`, names: name });
      }
      for (const h of UNKNOWN_QUERY_VALUES) cases.push({ what: `query fuzz = ${h.label}`, query: `?fuzz=${String(h.value)}`, names: "fuzz" });
      cases.push({ what: "query name NUL", query: "?%00=1", names: "query" });
      cases.push({ what: "query name bad percent-encoding", query: "?%E0%A4%A=1", names: "query" });
      for (const h of [...HEADERS, ...(route.method === "GET" ? [] : BODY_HEADERS)]) cases.push({ what: `headers ${h.label}`, headers: h.headers });
      if (access !== "public" && access !== "ingest-key") {
        cases.push({ what: "cookie session", headers: identities.cookie });
        cases.push({ what: "cookie session from another site", headers: { ...identities.cookie, origin: "http://evil.test" } });
      }
      if (route.key === "POST /api/v1/runbooks") {
        const yaml = { "content-type": "application/yaml" };
        const source = worldRunbookYaml("fuzz");
        cases.push({ what: "runbook as uploaded", headers: yaml, body: source });
        for (const h of YAML_STEP_TITLES) {
          const body = source.replace('"Activate kill switch for the compromised agent"', h.value as string);
          cases.push({ what: `runbook step title ${h.label}`, headers: yaml, body, names: "step" });
        }
        for (const h of YAML_BODIES) cases.push({ what: `runbook ${h.label}`, headers: yaml, body: h.value as string });
      } else if (route.method !== "GET") {
        for (const h of RAW_BODIES) cases.push({ what: `raw body ${h.label}`, body: h.value as BodyInit });
        const fields = Array.isArray(base) ? Object.keys(base[0] as Record<string, unknown>) : Object.keys(base);
        for (const field of [...fields, "fuzz"]) {
          for (const h of field === "fuzz" ? UNKNOWN_FIELD_VALUES : PASSWORD_ROUTES.includes(route.key) ? PASSWORD_ROUTE_VALUES : JSON_VALUES) {
            const withValue = Array.isArray(base)
              ? [{ ...(base[0] as Record<string, unknown>), event_id: randomUUID(), [field]: h.value }]
              : { ...base, [field]: h.value };
            cases.push({ what: `body ${field} = ${h.label}`, body: json(withValue), names: field });
          }
        }
      }

      for (const c of cases) {
        const abort = new AbortController();
        const headers = { "content-type": "application/json", ...identity, ...c.headers };
        let res: Response;
        try {
          res = await callRoute(route, {
            params: c.params ?? params,
            query: c.query ?? "",
            headers,
            body: c.body ?? json(base),
            signal: abort.signal,
          });
        } catch (err) {
          failures.push(`${route.key} ${c.what}: threw ${err instanceof Error ? `${err.name}: ${err.message.slice(0, 200)}` : String(err)}`);
          continue;
        }
        calls++;
        const text = route.key in STREAMS && res.status < 300 ? "" : await res.text();
        abort.abort();
        await res.body?.cancel().catch(() => undefined);
        const message = res.status === 400 ? errorMessage(text) : null;
        if (c === cases[0]) refusedAnyway = message;
        if (res.status >= 500) {
          failures.push(`${route.key} ${c.what}: ${res.status}`);
        } else if (message !== null && message !== refusedAnyway && c.names && !squash(text).includes(squash(c.names))) {
          failures.push(`${route.key} ${c.what}: 400 without naming ${c.names}: ${text.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // Every route met the whole corpus: a route skipped by mistake would pass vacuously.
    expect(calls).toBeGreaterThan(routes.length * HEADERS.length);
    // Everything the pass wrote kept the audit chain whole.
    expect((await verifyAuditChain(appDb())).problem).toBeNull();
  }, 300_000);
});
