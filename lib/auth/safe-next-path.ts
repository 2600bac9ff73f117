const BASE = "http://console.invalid";
const FALLBACK = "/agents";

/**
 * Where to go after sign-in: only a path on this console, since an open redirect would hand our
 * sign-in to a phishing page. The path is resolved first (dot segments, tabs and newlines go, as a
 * browser would drop them), and what is left must start with exactly one slash: `//host` and `/\host`
 * are other origins to a browser, and an encoded second slash or backslash would become one as soon
 * as anything decodes it.
 */
export function safeNextPath(next: string | undefined): string {
  if (typeof next !== "string" || !next.startsWith("/")) return FALLBACK;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return FALLBACK;
  }
  const path = `${url.pathname}${url.search}`;
  return url.origin === BASE && /^\/(?![/\\]|%2f|%5c)/i.test(path) ? path : FALLBACK;
}
