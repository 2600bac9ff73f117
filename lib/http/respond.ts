import { randomUUID } from "node:crypto";
import { env } from "@/lib/env";
import { AppError, describeError, isUnavailableError, toErrorResponse } from "@/lib/errors";

export interface RequestInfo {
  /** Always made here: a client-chosen id must not be able to pose as another request in the audit trail. */
  requestId: string;
  sourceIp: string | null;
}

/**
 * The client's address from X-Forwarded-For. Next.js fills the header with the socket address when a
 * request has none; each trusted proxy in front appends one entry, so the client is that many from the right.
 */
export function clientAddress(forwardedFor: string | null, trustedProxyHops: number): string | null {
  const entries = (forwardedFor ?? "").split(",").map((e) => e.trim()).filter(Boolean);
  return entries[Math.max(0, entries.length - 1 - trustedProxyHops)] ?? null;
}

export function requestInfo(req: Request): RequestInfo {
  return {
    requestId: randomUUID(),
    sourceIp: clientAddress(req.headers.get("x-forwarded-for"), env().SOC_TRUSTED_PROXY_HOPS),
  };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}, requestId?: string): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...(requestId ? { "x-request-id": requestId } : {}),
      ...headers,
    },
  });
}

export type MappedError = ReturnType<typeof toErrorResponse>;

/** How an error is written out: JSON by default; the OTLP door answers in the request's own encoding. */
export type ErrorRenderer = (mapped: MappedError, requestId: string) => Response;

const jsonError: ErrorRenderer = (mapped, requestId) => json(mapped.body, mapped.status, mapped.headers, requestId);

/** Runs a route body and maps whatever it throws to one error vocabulary. */
export async function handle(req: Request, run: (info: RequestInfo) => Promise<Response>, renderError: ErrorRenderer = jsonError): Promise<Response> {
  const info = requestInfo(req);
  try {
    const res = await run(info);
    res.headers.set("x-request-id", info.requestId);
    return res;
  } catch (err) {
    const mapped =
      !(err instanceof AppError) && isUnavailableError(err)
        ? toErrorResponse(
            new AppError("UNAVAILABLE", "Storage is unavailable; nothing from this request was stored. Retry.", {
              headers: { "Retry-After": "5" },
            }),
            info.requestId,
          )
        : toErrorResponse(err, info.requestId);
    if (mapped.status >= 500) {
      console.error(`[${info.requestId}] ${req.method} ${new URL(req.url).pathname}: ${describeError(err)}`);
    }
    return renderError(mapped, info.requestId);
  }
}

/** Reads at most maxBytes of the body; past that the client gets 413 without the server buffering the rest. */
export async function readBodyCapped(req: Request, maxBytes: number, onTooLarge: () => Error): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw onTooLarge();
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw onTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
