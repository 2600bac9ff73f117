const BASE = "http://console.invalid";

/** Where to go after sign-in: only a path on this console, since an open redirect would hand our sign-in to a phishing page. */
export function safeNextPath(next: string | undefined): string {
  if (typeof next !== "string" || !next.startsWith("/")) return "/agents";
  const url = new URL(next, BASE);
  return url.origin === BASE ? `${url.pathname}${url.search}` : "/agents";
}
