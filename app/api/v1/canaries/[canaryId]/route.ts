import { respond } from "@/lib/api/operation";
import { canariesApi } from "@/lib/api/operations";
import { retireCanary } from "@/lib/detect";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ canaryId: string }>(canariesApi.retire, async ({ ctx, params }) => {
  await retireCanary({ ctx, input: { canaryId: params.canaryId } });
  return respond(canariesApi.retire, 200, { retired: params.canaryId });
});
