import { randomUUID } from "node:crypto";
import { env } from "@/lib/env";
import { AppError, cancelledQueryError, describeError, fieldError, isUnavailableError, toErrorResponse } from "@/lib/errors";
import { findQueryProblem, unstorableReason } from "@/lib/storable-text";
import { stampedPeer } from "./peer-address";

export interface RequestInfo {
  /** Always made here: a client-chosen id must not be able to pose as another request in the audit trail. */
  requestId: string;
  sourceIp: string | null;
}

/**
 * The client's address. The addresses a request came through are X-Forwarded-For's entries followed by
 * the TCP peer; each trusted proxy in front appended the address it was reached from, so the client is
 * `trustedProxyHops` from the right of that list. With no trusted proxy it is the peer itself, and
 * nothing the client wrote counts; an address that cannot be known is null, never a guess.
 */
export function clientAddress(forwardedFor: string | null, peer: string | null, trustedProxyHops: number): string | null {
  if (trustedProxyHops === 0) return peer;
  const entries = (forwardedFor ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const entry = entries[entries.length - trustedProxyHops];
  return entry === undefined ? null : withoutPort(entry);
}

/** Proxies that append the client's port too (203.0.113.9:443, [2001:db8::1]:443): the address alone. */
function withoutPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed?.[1]) return bracketed[1];
  const ipv4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry);
  return ipv4?.[1] ?? entry;
}

export function requestInfo(req: Request): RequestInfo {
  return {
    requestId: randomUUID(),
    sourceIp: clientAddress(req.headers.get("x-forwarded-for"), stampedPeer(req.headers), env().SOC_TRUSTED_PROXY_HOPS),
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

/**
 * The route's path parameters as Next.js decoded them (a route without any gets `undefined`); one
 * PostgreSQL could not store is refused, named.
 */
export async function pathParams<P extends object>(route: { params: Promise<P | undefined> } | undefined): Promise<P> {
  const params = (await route?.params) ?? ({} as P);
  for (const [name, value] of Object.entries(params)) {
    for (const text of Array.isArray(value) ? value : [value]) {
      const why = typeof text === "string" ? unstorableReason(text) : null;
      if (why) throw fieldError(name, why);
    }
  }
  return params;
}

export type MappedError = ReturnType<typeof toErrorResponse>;

/** How an error is written out: JSON by default; the OTLP door answers in the request's own encoding. */
export type ErrorRenderer = (mapped: MappedError, requestId: string) => Response;

const jsonError: ErrorRenderer = (mapped, requestId) => json(mapped.body, mapped.status, mapped.headers, requestId);

/** Runs a route body and maps whatever it throws to one error vocabulary. */
export async function handle(req: Request, run: (info: RequestInfo) => Promise<Response>, renderError: ErrorRenderer = jsonError): Promise<Response> {
  const info = requestInfo(req);
  try {
    const queryProblem = findQueryProblem(new URL(req.url).search);
    if (queryProblem) throw fieldError(queryProblem.path, queryProblem.message);
    const res = await run(info);
    res.headers.set("x-request-id", info.requestId);
    return res;
  } catch (err) {
    const cancelled = err instanceof AppError ? null : cancelledQueryError(err, env().SOC_DB_STATEMENT_TIMEOUT_MS);
    const mapped = cancelled
      ? toErrorResponse(cancelled, info.requestId)
      : !(err instanceof AppError) && isUnavailableError(err)
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

/** What a search page shows in place of its results when the search itself was the problem (a bad filter, or too slow); null otherwise. */
export function searchProblem(err: unknown): string | null {
  if (err instanceof AppError) return err.code === "VALIDATION" ? err.message : null;
  return cancelledQueryError(err, env().SOC_DB_STATEMENT_TIMEOUT_MS)?.message ?? null;
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
