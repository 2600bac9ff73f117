import { DrizzleQueryError } from "drizzle-orm";
import { z } from "zod";

export const ERROR_STATUS = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  MFA_REQUIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, opts: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.details = opts.details;
    this.headers = opts.headers;
  }
}

/** A refused field or parameter: one VALIDATION error naming it, in the shape parseOrThrow gives field errors. */
export function fieldError(path: string, message: string): AppError {
  return new AppError("VALIDATION", `${path}: ${message}`, { details: { errors: [{ path, message }] } });
}

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** Every error answer of the API: a code, a message for people, the request id, and what the code adds. */
export const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z.enum(ERROR_CODES).meta({
          description:
            "VALIDATION 400, UNAUTHENTICATED 401, MFA_REQUIRED 401 (the password was right; send the second factor too), FORBIDDEN 403, NOT_FOUND 404, CONFLICT 409, PAYLOAD_TOO_LARGE 413, UNSUPPORTED_MEDIA_TYPE 415, RATE_LIMITED 429, INTERNAL 500, UNAVAILABLE 503",
        }),
        message: z.string().meta({ description: "What was refused and why, for people; a VALIDATION message names each field" }),
        request_id: z.uuid().meta({ description: "Also in the X-Request-Id header; quote it when reporting a problem" }),
        errors: z
          .array(z.object({ path: z.string(), message: z.string() }))
          .optional()
          .meta({ description: "VALIDATION: each refused field (dotted path) and why" }),
      })
      .catchall(z.unknown())
      .meta({ description: "Some codes add facts of their own: CONFLICT the state found, RATE_LIMITED the limit, PAYLOAD_TOO_LARGE the limits" }),
  })
  .meta({ id: "Error" });

export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Unknown errors become a 500 that names the request id and never echoes the original message. */
export function toErrorResponse(err: unknown, requestId: string): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (err instanceof AppError) {
    return {
      status: ERROR_STATUS[err.code],
      body: { error: { code: err.code, message: err.message, request_id: requestId, ...err.details } },
      headers: err.headers ?? {},
    };
  }
  return {
    status: 500,
    body: {
      error: { code: "INTERNAL", message: "Internal error; quote the request id when reporting it.", request_id: requestId },
    },
    headers: {},
  };
}

/** The PostgreSQL SQLSTATE or Node system code of an error, looking through wrappers such as drizzle's. */
export function errorCode(err: unknown): string | null {
  for (let current = err, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== "object") return null;
    if ("code" in current && typeof current.code === "string") return current.code;
    current = "cause" in current ? current.cause : null;
  }
  return null;
}

const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "EPIPE", "EAI_AGAIN", "40001", "40P01", "55P03"]);
// SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown, cancel).
const UNAVAILABLE_CLASSES = ["08", "53", "57"];
const UNAVAILABLE_MESSAGES = [/timeout exceeded when trying to connect/i, /Connection terminated/i, /Client has encountered a connection error/i];

/** Errors a client should retry: the database or Redis unreachable, overloaded, or a transaction that lost a race. */
export function isUnavailableError(err: unknown): boolean {
  const code = errorCode(err);
  if (code && (UNAVAILABLE_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_CLASSES.includes(code.slice(0, 2))))) {
    return true;
  }
  for (let current = err, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (UNAVAILABLE_MESSAGES.some((re) => re.test(current instanceof Error ? current.message : ""))) return true;
    current = current.cause;
  }
  return false;
}

/**
 * A statement PostgreSQL cancelled (57014): the console's statement time limit, or an operator,
 * stopped it. Retrying the same search will not help; narrowing it will.
 */
export function cancelledQueryError(err: unknown, limitMs: number): AppError | null {
  if (errorCode(err) !== "57014") return null;
  const limit = limitMs > 0 ? ` at the console's limit of ${limitMs / 1000} s per query (SOC_DB_STATEMENT_TIMEOUT_MS)` : "";
  return new AppError(
    "UNAVAILABLE",
    `The database stopped this request${limit}; nothing from it was stored. If it was a search, narrow it: a shorter time window (since/until), or a filter by agent or session.`,
    { cause: err },
  );
}

// Names whose value is a secret, also at the end of a longer name (PGPASSWORD, db_password, x-api-key, access_token).
const SECRET_NAMES = "(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|authorization|cookie)s?";
const SECRET_KEY = new RegExp(`${SECRET_NAMES}$`, "i");
// name=value, name: value, name="value" and JSON's "name":"value"; an auth scheme (Basic, Bearer…) before the value is kept.
// A name starts only where a run of name characters starts, so a long run is read once, not once per position.
const SECRET_PAIRS = new RegExp(
  String.raw`(?<![\w-])([\w-]*?${SECRET_NAMES})(["']?\s*[=:]\s*)((?:basic|bearer|digest|negotiate|ntlm|token)\s+)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&)]+)`,
  "gi",
);
const URL_USER_INFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
const BEARER = /\b(bearer)\s+[^\s,;]+/gi;
// Basic credentials are base64 of "user:password"; only text that decodes so is taken for them.
const BASIC = /\b(basic)\s+([A-Za-z0-9+/]{4,}={0,2})/gi;
// The console's own secrets: API tokens, ingest keys, session tokens.
const CONSOLE_SECRETS = /\b(soc_(?:at|ik|s)_)[A-Za-z0-9_-]+/g;
// Drizzle's message: "Failed query: <SQL>\nparams: <every parameter>".
const DRIZZLE_QUERY_TEXT = /Failed query: [\s\S]*?\nparams: [^\n]*|Failed query: [^\n]*/g;

const isBasicCredentials = (b64: string) => /^[^:\s]*:/.test(Buffer.from(b64, "base64").toString("latin1"));

/** A text with the secrets it may carry taken out: credentials in URLs, bearer and basic credentials, the console's tokens, password=… pairs, a failed query's SQL and parameters. */
export function scrubLogText(text: string): string {
  return text
    .replace(DRIZZLE_QUERY_TEXT, "Failed query: (query and parameters not logged)")
    .replace(URL_USER_INFO, "$1***@")
    .replace(BEARER, "$1 ***")
    .replace(BASIC, (whole, scheme: string, b64: string) => (isBasicCredentials(b64) ? `${scheme} ***` : whole))
    .replace(CONSOLE_SECRETS, "$1***")
    .replace(SECRET_PAIRS, (_match, name: string, separator: string, scheme: string | undefined) => `${name}${separator}${scheme ?? ""}***`);
}

/** Drizzle's DrizzleQueryError: its name stays "Error", so it is known by its class or by the query and parameters it carries. */
function isQueryError(err: Error): boolean {
  return err instanceof DrizzleQueryError || ("query" in err && typeof err.query === "string" && "params" in err && Array.isArray(err.params));
}

/** An error PostgreSQL sent (pg's DatabaseError): its message and detail may quote the values that broke a rule. */
function isServerError(err: Error): err is Error & { code: string; table?: string; column?: string; constraint?: string } {
  return "severity" in err && typeof err.severity === "string" && "code" in err && typeof err.code === "string" && /^[0-9A-Z]{5}$/.test(err.code);
}

function describeOne(err: Error): string {
  const code = "code" in err && typeof err.code === "string" ? ` [${err.code.slice(0, 40)}]` : "";
  if (isQueryError(err)) return `DrizzleQueryError: query failed`;
  if (isServerError(err)) {
    const where = [err.table && `table ${err.table}`, err.column && `column ${err.column}`, err.constraint && `constraint ${err.constraint}`].filter(Boolean);
    return `PostgreSQL error${code}${where.length > 0 ? `: ${where.join(", ")}` : ""}`;
  }
  // JSON.parse quotes the start of the text it could not read.
  if (err instanceof SyntaxError) return `${err.name}${code}`;
  return `${err.name}${code}: ${scrubLogText(err.message.split("\n", 1)[0] ?? "").slice(0, 300)}`;
}

/**
 * What may be logged or shown of an unexpected error: its kind, codes and names, never a query's
 * text or parameters, nor the values PostgreSQL quotes in its messages and details (they hold
 * event content and secrets).
 */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let current = err, depth = 0; current && depth < 5; depth++) {
    if (!(current instanceof Error)) {
      parts.push(scrubLogText(String(current)).slice(0, 200));
      break;
    }
    parts.push(describeOne(current));
    current = current.cause;
  }
  return parts.join(" <- ");
}

/** How deep and how much of a logged value is looked through; console.log shows less than this. */
const LOG_WALK_DEPTH = 8;
const LOG_WALK_NODES = 2_000;

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A value as it may be logged: errors as describeError tells them and texts scrubbed, inside arrays,
 * plain objects, Maps and Sets too, and the text or object under a secret-named key masked. Other
 * objects print as they are. Cycles and what lies past the bounds are not printed.
 */
export function scrubLogValue(value: unknown): unknown {
  const ancestors = new WeakSet<object>();
  let nodes = 0;
  const walk = (current: unknown, depth: number): unknown => {
    if (current instanceof Error) return describeError(current);
    if (typeof current === "string") return scrubLogText(current);
    if (typeof current !== "object" || current === null) return current;
    if (!(Array.isArray(current) || current instanceof Map || current instanceof Set || isPlainObject(current))) return current;
    if (ancestors.has(current)) return "[Circular]";
    if (depth >= LOG_WALK_DEPTH || ++nodes > LOG_WALK_NODES) return "[not logged: too deep or too large]";
    ancestors.add(current);
    const under = (key: unknown, inner: unknown) =>
      typeof key === "string" && SECRET_KEY.test(key) && (typeof inner === "string" || (typeof inner === "object" && inner !== null))
        ? "***"
        : walk(inner, depth + 1);
    try {
      if (Array.isArray(current)) return current.map((item) => walk(item, depth + 1));
      if (current instanceof Set) return new Set([...current].map((item) => walk(item, depth + 1)));
      if (current instanceof Map) return new Map([...current].map(([key, inner]) => [walk(key, depth + 1), under(key, inner)]));
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(current)) {
        Object.defineProperty(out, key, { value: under(key, inner), enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      ancestors.delete(current);
    }
  };
  return walk(value, 0);
}

/** Whatever prints through this console leaves errors as describeError tells them and texts scrubbed, also inside objects and arrays: Next.js logs the errors of pages and actions itself. */
export function installLogScrubbing(target: Console = console): void {
  for (const method of ["error", "warn", "log", "info", "debug", "dir", "trace"] as const) {
    const original = target[method].bind(target);
    target[method] = (...args: unknown[]) => original(...args.map(scrubLogValue));
  }
}
