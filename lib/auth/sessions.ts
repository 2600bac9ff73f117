/** Browser sessions: 12 hours at most, and ended after 2 hours without use. */
export const SESSION_MAX_AGE_S = 12 * 3600;
export const SESSION_IDLE_S = 2 * 3600;
export const SESSION_COOKIE = "soc_session";

/**
 * Over HTTPS the cookie carries the __Host- prefix: browsers then refuse it from a sibling subdomain
 * (no Domain, Secure, Path=/), so no other site under the same parent can plant a session.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}
export const SESSION_PREFIX = "soc_s_";
export const API_TOKEN_PREFIX = "soc_at_";

/** A one-time password not used within this long stops working; an admin issues a new one. */
export const ONE_TIME_PASSWORD_TTL_S = 7 * 86_400;

/** Lock-out: five wrong passwords in a row lock the account, for 1 minute doubling up to 1 hour (see sign-in.ts). */
export const FREE_ATTEMPTS = 5;

export function sessionCookie(token: string, secure: boolean): string {
  return [`${sessionCookieName(secure)}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${SESSION_MAX_AGE_S}`, ...(secure ? ["Secure"] : [])].join(
    "; ",
  );
}

export function clearedSessionCookie(secure: boolean): string {
  return [`${sessionCookieName(secure)}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0", ...(secure ? ["Secure"] : [])].join("; ");
}

export function readCookie(cookieHeader: string | null, name: string): string | null {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=") || null;
  }
  return null;
}
