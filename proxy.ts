import { type NextRequest, NextResponse } from "next/server";
import { fieldError, toErrorResponse } from "@/lib/errors";
import { findPathEncodingProblem, findPathProblem, findQueryProblem } from "@/lib/storable-text";

/**
 * An API address whose path is not valid percent-encoded UTF-8: Next.js would fail decoding its route
 * parameters (a bare 500) before any handler runs, so it is refused here, in the API's error shape.
 * Everything else about an API request (a NUL in a parameter, the query) its handler checks and names.
 */
function refuseBadApiPath(pathname: string): NextResponse {
  const problem = findPathEncodingProblem(pathname);
  if (!problem) return NextResponse.next();
  const requestId = crypto.randomUUID();
  const { status, body } = toErrorResponse(fieldError(problem.path, problem.message), requestId);
  return new NextResponse(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff", "x-request-id": requestId },
  });
}

/**
 * Security headers on every response, and a per-request CSP nonce so that the only scripts that run
 * are Next.js's own: log content is attacker-controlled, and the console must not execute any of it.
 * A page address holding text PostgreSQL cannot store (a NUL, bad percent-encoding) is a 400 here,
 * as it is for the API, instead of a failed page.
 */
export function proxy(request: NextRequest): NextResponse {
  const url = new URL(request.url);
  if (url.pathname.startsWith("/api/")) return refuseBadApiPath(url.pathname);
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // React style attributes need inline styles; no script can run through them.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  // Where a signed-out visitor was going, so sign-in can send them back there.
  requestHeaders.set("x-console-path", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const problem = findPathProblem(url.pathname) ?? findQueryProblem(url.search);
  const response = problem
    ? new NextResponse(`Bad request: ${problem.path}: ${problem.message}\n`, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } })
    : NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  response.headers.set("x-frame-options", "DENY");
  response.headers.set("x-content-type-options", "nosniff");
  response.headers.set("referrer-policy", "no-referrer");
  response.headers.set("permissions-policy", "camera=(), microphone=(), geolocation=()");
  response.headers.set("cross-origin-opener-policy", "same-origin");
  return response;
}

// The JSON API sets its own headers (lib/http/respond.ts); skipping the proxy there saves a hop on the kill path.
// Only an API path holding a "%" (matched before Next.js decodes it) passes through, to have its encoding checked.
export const config = {
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)" }, { source: "/api/:encoded(.*%.*)" }],
};
