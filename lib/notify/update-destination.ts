import { and, eq } from "drizzle-orm";
import { getDestination } from "@/db/queries/notifications";
import { notificationDeliveries, notificationDestinations } from "@/db/schema";
import { DESTINATION_TARGET } from "@/db/schema/notifications";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { assertEgressAllowed } from "@/lib/egress";
import { AppError } from "@/lib/errors";
import type { DestinationView } from "@/lib/notify/views";
import { destinationIdSchema, updateDestinationInput, urlHintOf } from "./schemas";
import { requireSocSecret, sealText } from "./seal";

export const CANCELLED_ON_DISABLE = "destination disabled before delivery";

/**
 * Changes a destination's name, minimum severity, enabled flag or URL (admin), audited with before
 * and after (the URL as its scheme and host only). Disabling gives up its pending deliveries, so
 * re-enabling it later does not send a backlog of stale alerts.
 */
export async function updateDestination({ ctx, input }: { ctx: Ctx; input: { destinationId: string; patch: unknown } }): Promise<DestinationView> {
  authorize(ctx, "admin", "change notification destinations");
  const destinationId = parseOrThrow(destinationIdSchema, input.destinationId);
  const patch = parseOrThrow(updateDestinationInput, input.patch);
  const secret = patch.url === undefined ? null : requireSocSecret("change a destination's URL (it is stored encrypted with SOC_SECRET)");
  if (patch.url !== undefined) await assertEgressAllowed(patch.url, "url");
  const updated = await ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(notificationDestinations).where(eq(notificationDestinations.id, destinationId)).for("update");
    if (!before) throw new AppError("NOT_FOUND", `No notification destination ${destinationId}`);
    const urlHint = patch.url === undefined ? before.urlHint : urlHintOf(patch.url);
    await tx
      .update(notificationDestinations)
      .set({
        name: patch.name ?? before.name,
        minSeverity: patch.min_severity ?? before.minSeverity,
        enabled: patch.enabled ?? before.enabled,
        ...(patch.url !== undefined && secret !== null ? { urlSealed: sealText(patch.url, secret), urlHint } : {}),
      })
      .where(eq(notificationDestinations.id, destinationId));
    const cancelled =
      before.enabled && patch.enabled === false
        ? await tx
            .update(notificationDeliveries)
            .set({ status: "failed", lastError: CANCELLED_ON_DISABLE, leaseUntil: null })
            .where(and(eq(notificationDeliveries.destinationId, destinationId), eq(notificationDeliveries.status, "pending")))
            .returning({ id: notificationDeliveries.id })
        : [];
    await recordAudit(tx, ctx, {
      action: "notification.destination.update",
      targetType: DESTINATION_TARGET,
      targetId: destinationId,
      reason: patch.reason ?? null,
      before: { name: before.name, min_severity: before.minSeverity, enabled: before.enabled, url_hint: before.urlHint },
      after: {
        name: patch.name ?? before.name,
        min_severity: patch.min_severity ?? before.minSeverity,
        enabled: patch.enabled ?? before.enabled,
        url_hint: urlHint,
        url_changed: patch.url !== undefined,
        ...(cancelled.length > 0 ? { pending_deliveries_cancelled: cancelled.length } : {}),
      },
    });
    return getDestination(tx, destinationId);
  });
  if (!updated) throw new AppError("NOT_FOUND", `No notification destination ${destinationId}`);
  return updated;
}
