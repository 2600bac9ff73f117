import { retireCanary } from "@/lib/detect";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ canaryId: string }>("admin", async ({ ctx, params }) => {
  await retireCanary({ ctx, input: { canaryId: params.canaryId } });
  return json({ retired: params.canaryId });
});
