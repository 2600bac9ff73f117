import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { type Cidr, parseCidr } from "./egress/address-policy";

const retentionDays = z.coerce.number().int().min(1).max(3650);

/** Settings every process reads: the app, the launcher and the CLI. */
const sharedSchema = z.object({
  REDIS_URL: z.string().optional(),
  /** Key of the audit chain's HMAC; see socSecret(). */
  SOC_SECRET: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.string().min(16, "SOC_SECRET needs at least 16 characters").optional()),
  PORT: z.coerce.number().int().positive().default(3000),
  SOC_RETENTION_DAYS: retentionDays.default(30),
});

const appSchema = sharedSchema.extend({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (the launcher sets it for the embedded server)"),
  /** Unset or empty: Redis is not configured, and kill switches and rate limits say so instead of pretending. */
  REDIS_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v : null)),
  SOC_INGEST_RATE_LIMIT_PER_MIN: z.coerce.number().int().positive().default(60_000),
  SOC_INGEST_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  SOC_INGEST_MAX_EVENTS: z.coerce.number().int().positive().default(10_000),
  SOC_DB_POOL_SIZE: z.coerce.number().int().positive().default(10),
  /** Every statement the console runs is cancelled after this long (0: no limit), so one search cannot occupy the database. */
  SOC_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** The shared secret of the guide's HS256 tool tokens, for tools that verify that form; unset: only EdDSA tokens are issued. */
  SOC_TOOL_TOKEN_HS256_SECRET: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.string().min(32, "SOC_TOOL_TOKEN_HS256_SECRET needs at least 32 characters").optional()),
  /** Tool tokens one agent may be issued per minute. */
  SOC_TOOL_TOKENS_PER_MIN: z.coerce.number().int().positive().default(600),
  /** Proxies in front of the app that append to X-Forwarded-For; the client address is that many entries from the right (0: the TCP peer). */
  SOC_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** The console's privileged PostgreSQL login for rotating agents' database roles (ALTER ROLE); unset: those rotations fail saying so. */
  SOC_ROTATION_PG_ADMIN_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v : null)),
  /** The console's privileged Redis login for rotating agents' ACL users (ACL SETUSER); unset: those rotations fail saying so. */
  SOC_ROTATION_REDIS_ADMIN_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v : null)),
  /**
   * Private ranges webhooks may reach (on-premises receivers), comma-separated CIDRs such as
   * "10.0.0.0/8,127.0.0.1/32". Unset: loopback, private, link-local and other special-purpose
   * addresses are refused.
   */
  SOC_EGRESS_ALLOW_CIDRS: z
    .string()
    .optional()
    .transform((v, ctx): Cidr[] =>
      (v ?? "")
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean)
        .flatMap((text) => {
          const cidr = parseCidr(text);
          if (!cidr) ctx.addIssue({ code: "custom", message: `"${text}" is not an IP address or a CIDR range such as 10.0.0.0/8` });
          return cidr ? [cidr] : [];
        }),
    ),
  /** A tracing tool's page for one trace, e.g. `https://tempo.example/trace/{trace_id}`; unset: the session page shows trace ids without links. */
  SOC_TRACE_URL_TEMPLATE: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(
      z
        .url({ protocol: /^https?$/ })
        .refine((v) => v.includes("{trace_id}"), "SOC_TRACE_URL_TEMPLATE must contain {trace_id}")
        .nullable(),
    ),
  /** The console's address as people reach it, for links in notifications; unset means links are relative paths. */
  SOC_PUBLIC_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v.replace(/\/+$/, "") : null))
    .pipe(z.url({ protocol: /^https?$/ }).nullable()),
});

const launcherSchema = sharedSchema.extend({
  DATABASE_URL: z.string().min(1).optional(),
  /**
   * The least-privilege login the console's server uses, made by the operator (a managed database whose
   * owner may not create roles). Unset: the launcher creates and uses `<database>_app` itself.
   */
  SOC_APP_DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined)),
  SOC_EMBEDDED_PG_PORT: z.coerce.number().int().positive().default(54329),
  /** The address the console listens on. Loopback by default: it speaks plain HTTP, so anything wider belongs behind a TLS proxy. */
  SOC_LISTEN_HOST: z
    .string()
    .optional()
    .transform((v) => v?.trim() || "127.0.0.1")
    .refine(
      (v) => isIP(v) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(v),
      "expected an IP address or a host name, such as 127.0.0.1 or 0.0.0.0",
    ),
});

export type Env = z.infer<typeof appSchema>;
export type LauncherEnv = z.infer<typeof launcherSchema>;
export { retentionDays as retentionDaysSchema };

function parse<T>(schema: z.ZodType<T>, source: Record<string, string | undefined> = process.env): T {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

let cached: Env | null = null;

/** The app's configuration, parsed once on first use so that `next build` needs no database. */
export function env(): Env {
  cached ??= parse(appSchema);
  return cached;
}

/** The launcher's and CLI's configuration: a missing DATABASE_URL means "use the embedded server". */
export function launcherEnv(source: Record<string, string | undefined> = process.env): LauncherEnv {
  return parse(launcherSchema, source);
}

/** Where the launcher keeps the secret it generated when SOC_SECRET was not given. */
export const GENERATED_SECRET_FILE = path.join(process.cwd(), ".data", "secret");
let cachedSecret: string | null | undefined;

/**
 * The key of the audit chain's HMAC: SOC_SECRET, else the launcher's generated one, else none (then
 * the chain is plain SHA-256, and verification says so). Kept out of the database on purpose.
 */
export function socSecret(): string | null {
  if (cachedSecret !== undefined) return cachedSecret;
  const fromEnv = parse(sharedSchema.pick({ SOC_SECRET: true })).SOC_SECRET;
  cachedSecret = fromEnv ?? (existsSync(GENERATED_SECRET_FILE) ? readFileSync(GENERATED_SECRET_FILE, "utf8").trim() || null : null);
  return cachedSecret;
}

export function socSecretConfigured(): boolean {
  return parse(sharedSchema.pick({ SOC_SECRET: true })).SOC_SECRET !== undefined;
}

const e2eSchema = z.object({
  AGENTSOC_TEST_DATABASE_URL: z.string().min(1, "e2e tests run through `npm test`, which provides PostgreSQL (AGENTSOC_TEST_DATABASE_URL)"),
  AGENTSOC_TEST_REDIS_URL: z.string().min(1, "e2e tests run through `npm test`, which provides Redis (AGENTSOC_TEST_REDIS_URL)"),
  AGENTSOC_TEST_OWNER_DATABASE_URL: z
    .string()
    .min(1, "e2e tests run through `npm test`, which provides the tables' owner login (AGENTSOC_TEST_OWNER_DATABASE_URL)"),
  AGENTSOC_E2E_PORT: z.coerce.number().int().positive().default(3210),
  SOC_SECRET: z.string().default(""),
  /** `npm run docs:screenshots`: where the page tour saves each page at each size, for the docs. */
  AGENTSOC_SCREENSHOTS_DIR: z.string().optional(),
});

/** The servers `npm test` started for the browser tests, as the Playwright config and specs read them. */
export function e2eEnv(): z.infer<typeof e2eSchema> {
  return parse(e2eSchema);
}

const benchCount = z.coerce.number().int().positive().optional();
const benchSchema = z.object({
  BENCH_REQUESTS: benchCount,
  BENCH_ROUNDS: benchCount,
  BENCH_CONNECTIONS: benchCount,
  BENCH_KILLS: benchCount,
  BENCH_TOKENS: benchCount,
  BENCH_OTHER_EVENTS: benchCount,
  BENCH_SEED_WRITERS: benchCount,
  BENCH_WHOLE_FETCHES: benchCount,
  BENCH_ROTATIONS: benchCount,
  BENCH_FLEET_AGENTS: benchCount,
  /** bench:sdk: events one Python process logs. */
  BENCH_SDK_EVENTS: benchCount,
  /** "1": reuse the existing `next build` instead of building the code as it is now. */
  BENCH_SKIP_BUILD: z
    .string()
    .optional()
    .transform((v) => v === "1"),
  /** "1": the timeline bench explains its queries even when it meets its goal. */
  BENCH_EXPLAIN: z
    .string()
    .optional()
    .transform((v) => v === "1"),
});

/** The benchmarks' knobs; each bench applies its own defaults to the counts left unset. */
export function benchEnv(): z.infer<typeof benchSchema> {
  return parse(benchSchema);
}

/** The environment a child process of ours inherits (PATH and the rest), with some settings replaced. */
export function childEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
