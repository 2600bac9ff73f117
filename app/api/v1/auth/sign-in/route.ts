import { appDb } from "@/db/client";
import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { sessionCookie, signIn } from "@/lib/auth";
import { AppError } from "@/lib/errors";
import { assertSameOrigin, isSecureRequest, readJson } from "@/lib/http/authed-route";
import { handle } from "@/lib/http/respond";
import { takeQuota } from "@/lib/ingest/rate-limit";
import { appRedis } from "@/lib/redis";

const SIGN_IN_ATTEMPTS_PER_MIN = 30;

export const dynamic = "force-dynamic";

/** E-mail and password in, a session cookie out (httpOnly, SameSite=Lax, Secure over HTTPS). */
export async function POST(req: Request): Promise<Response> {
  return handle(req, async ({ requestId, sourceIp }) => {
    // A forged sign-in would put the victim's browser in the attacker's account.
    if (req.headers.get("origin") || req.headers.get("sec-fetch-site")) assertSameOrigin(req);
    // Per address, on top of the per-account lock-out: one source cannot spray guesses over many accounts.
    const quota = sourceIp ? await takeQuota(appRedis(), `sign-in:${sourceIp}`, 1, SIGN_IN_ATTEMPTS_PER_MIN, Date.now()) : null;
    if (quota && !quota.allowed) {
      throw new AppError("RATE_LIMITED", `Too many sign-in attempts from your address; try again in ${quota.retryAfterSeconds} s`, {
        headers: { "Retry-After": String(quota.retryAfterSeconds) },
      });
    }
    const signedIn = await signIn({
      ctx: { db: appDb(), actor: { type: "anonymous" }, requestId, sourceIp },
      input: await readJson(req),
      userAgent: req.headers.get("user-agent"),
    });
    return respond(
      authApi.signIn,
      200,
      { user: signedIn.user, expires_at: signedIn.expiresAt.toISOString() },
      {
        "set-cookie": sessionCookie(signedIn.sessionToken, isSecureRequest(req)),
      },
    );
  });
}
