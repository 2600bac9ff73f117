import { getAlert } from "@/db/queries/detection";
import { respond } from "@/lib/api/operation";
import { alertsApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { alertIdSchema } from "@/lib/detect/schemas";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ alertId: string }>(alertsApi.get, async ({ ctx, params }) => {
  const alert = await getAlert(ctx.db, parseOrThrow(alertIdSchema, params.alertId, "alertId"));
  if (!alert) throw new AppError("NOT_FOUND", `Alert ${params.alertId} does not exist`);
  return respond(alertsApi.get, 200, alert);
});
