import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { confirmTotp } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `{"code"}` → `{"enabled": true, "recovery_codes": […]}`, the codes shown once. */
export const POST = authedRoute(authApi.confirmTotp, async ({ req, ctx }) =>
  respond(authApi.confirmTotp, 200, await confirmTotp({ ctx, input: await readJson(req) })),
);
