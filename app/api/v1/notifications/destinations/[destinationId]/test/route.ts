import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { kickNotificationDelivery, sendTestNotification } from "@/lib/notify";

export const dynamic = "force-dynamic";

/** Queues a test notification → 202 `{"delivery_id"}`; follow it in GET /api/v1/notifications/deliveries. */
export const POST = authedRoute<{ destinationId: string }>("admin", async ({ ctx, params }) => {
  const queued = await sendTestNotification({ ctx, input: { destinationId: params.destinationId } });
  kickNotificationDelivery();
  return json(queued, 202);
});
