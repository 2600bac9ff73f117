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

/** What may be logged of an unexpected error: its kind and codes, never query parameters (they hold event content). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let current = err, depth = 0; current && depth < 5; depth++) {
    if (!(current instanceof Error)) {
      parts.push(String(current).slice(0, 200));
      break;
    }
    const code = "code" in current && typeof current.code === "string" ? ` [${current.code}]` : "";
    // Drizzle puts the whole SQL text and its parameters in its message; keep only its class name.
    const message = current.name === "DrizzleQueryError" ? "query failed" : current.message.slice(0, 300);
    parts.push(`${current.name}${code}: ${message}`);
    current = current.cause;
  }
  return parts.join(" <- ");
}
