import { type NextRequest, NextResponse } from "next/server";
import { findPathProblem, findQueryProblem } from "@/lib/storable-text";

/**
 * Security headers on every response, and a per-request CSP nonce so that the only scripts that run
 * are Next.js's own: log content is attacker-controlled, and the console must not execute any of it.
 * A page address holding text PostgreSQL cannot store (a NUL, bad percent-encoding) is a 400 here,
 * as it is for the API, instead of a failed page.
 */
export function proxy(request: NextRequest): NextResponse {
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
  const url = new URL(request.url);
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
export const config = {
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)" }],
};
