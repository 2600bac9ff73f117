import { respond } from "@/lib/api/operation";
import { notificationsApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";
import { kickNotificationDelivery, sendTestNotification } from "@/lib/notify";

export const dynamic = "force-dynamic";

/** Queues a test notification → 202 `{"delivery_id"}`; follow it in GET /api/v1/notifications/deliveries. */
export const POST = authedRoute<{ destinationId: string }>(notificationsApi.testDestination, async ({ ctx, params }) => {
  const queued = await sendTestNotification({ ctx, input: { destinationId: params.destinationId } });
  kickNotificationDelivery();
  return respond(notificationsApi.testDestination, 202, queued);
});
