import { DrizzleQueryError } from "drizzle-orm";

export const ERROR_STATUS = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
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

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
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

export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string } & Record<string, unknown>;
}

/** Unknown errors become a 500 that names the request id and never echoes the original message. */
export function toErrorResponse(
  err: unknown,
  requestId: string,
): { status: number; body: ErrorBody; headers: Record<string, string> } {
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

// key=value, key: value and key="value" pairs whose value is a secret, wherever a message carries them.
const SECRET_PAIRS = /\b(password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&)]+)/gi;
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
const BEARER = /\b(bearer)\s+[^\s,;]+/gi;
// Drizzle's message: "Failed query: <SQL>\nparams: <every parameter>".
const DRIZZLE_QUERY_TEXT = /Failed query: [\s\S]*?\nparams: [^\n]*|Failed query: [^\n]*/g;

/** A text with the secrets it may carry taken out: credentials in URLs, bearer tokens, password=… pairs, a failed query's SQL and parameters. */
export function scrubLogText(text: string): string {
  return text
    .replace(DRIZZLE_QUERY_TEXT, "Failed query: (query and parameters not logged)")
    .replace(URL_USER_INFO, "$1***@")
    .replace(BEARER, "$1 ***")
    .replace(SECRET_PAIRS, "$1$2***");
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

/** Whatever prints through this console leaves errors as describeError tells them and texts scrubbed: Next.js logs the errors of pages and actions itself. */
export function installLogScrubbing(target: Console = console): void {
  for (const method of ["error", "warn", "log", "info", "debug"] as const) {
    const original = target[method].bind(target);
    target[method] = (...args: unknown[]) => original(...args.map((arg) => (arg instanceof Error ? describeError(arg) : typeof arg === "string" ? scrubLogText(arg) : arg)));
  }
}
