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

/** Errors from the database or Redis being unreachable, which a client should retry. */
export function isUnavailableError(err: unknown): boolean {
  const code = errorCode(err) ?? "";
  return ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "57P01", "57P03", "53300"].includes(code);
}
