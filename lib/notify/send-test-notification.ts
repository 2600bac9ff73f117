import { eq } from "drizzle-orm";
import { notificationDeliveries, notificationDestinations } from "@/db/schema";
import { DESTINATION_TARGET } from "@/db/schema/notifications";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { testBody } from "./payloads";
import { destinationIdSchema } from "./schemas";

/**
 * Queues a test notification to one destination (admin), enabled or not, so an admin can check a
 * URL before turning it on. It goes through the same outbox, retries and attempt log as alerts.
 */
export async function sendTestNotification({ ctx, input }: { ctx: Ctx; input: { destinationId: string } }): Promise<{ delivery_id: number }> {
  authorize(ctx, "admin", "send test notifications");
  const destinationId = parseOrThrow(destinationIdSchema, input.destinationId);
  return ctx.db.transaction(async (tx) => {
    const [destination] = await tx
      .select({ name: notificationDestinations.name, kind: notificationDestinations.kind })
      .from(notificationDestinations)
      .where(eq(notificationDestinations.id, destinationId));
    if (!destination) throw new AppError("NOT_FOUND", `No notification destination ${destinationId}`);
    const payload = testBody(destination.kind, {
      destinationId,
      destinationName: destination.name,
      requestedBy: actorId(ctx.actor),
      requestedAt: new Date(),
    });
    const [delivery] = await tx
      .insert(notificationDeliveries)
      .values({ destinationId, alertId: null, event: "test", payload: { ...payload } })
      .returning({ id: notificationDeliveries.id });
    if (!delivery) throw new Error("delivery insert returned no row");
    await recordAudit(tx, ctx, { action: "notification.test", targetType: DESTINATION_TARGET, targetId: destinationId, after: { delivery_id: delivery.id } });
    return { delivery_id: delivery.id };
  });
}
