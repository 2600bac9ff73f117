import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { startTotpEnrolment } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `{"password"}` → `{"secret", "otpauth_url"}`, shown once. */
export const POST = authedRoute(authApi.enrolTotp, async ({ req, ctx }) =>
  respond(authApi.enrolTotp, 200, await startTotpEnrolment({ ctx, input: await readJson(req) })),
);
