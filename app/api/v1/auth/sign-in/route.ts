import { appDb } from "@/db/client";
import { sessionCookie, signIn } from "@/lib/auth";
import { assertSameOrigin, isSecureRequest, readJson } from "@/lib/http/authed-route";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** E-mail and password in, a session cookie out (httpOnly, SameSite=Lax, Secure over HTTPS). */
export async function POST(req: Request): Promise<Response> {
  return handle(req, async ({ requestId, sourceIp }) => {
    // A forged sign-in would put the victim's browser in the attacker's account.
    if (req.headers.get("origin") || req.headers.get("sec-fetch-site")) assertSameOrigin(req);
    const signedIn = await signIn({
      ctx: { db: appDb(), actor: { type: "anonymous" }, requestId, sourceIp },
      input: await readJson(req),
      userAgent: req.headers.get("user-agent"),
    });
    return json({ user: signedIn.user, expires_at: signedIn.expiresAt.toISOString() }, 200, {
      "set-cookie": sessionCookie(signedIn.sessionToken, isSecureRequest(req)),
    });
  });
}
