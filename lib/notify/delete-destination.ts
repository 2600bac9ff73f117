import { eq } from "drizzle-orm";
import { notificationDestinations } from "@/db/schema";
import { DESTINATION_TARGET } from "@/db/schema/notifications";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { destinationIdSchema, optionalReasonSchema } from "./schemas";

/** Removes a destination (admin) with its deliveries and their attempts; the audit row keeps what it was. */
export async function deleteDestination({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { destinationId: string; reason?: unknown };
}): Promise<{ id: string; deleted: true }> {
  authorize(ctx, "admin", "delete notification destinations");
  const destinationId = parseOrThrow(destinationIdSchema, input.destinationId);
  const reason = parseOrThrow(optionalReasonSchema, input.reason, "reason");
  return ctx.db.transaction(async (tx) => {
    const [gone] = await tx.delete(notificationDestinations).where(eq(notificationDestinations.id, destinationId)).returning();
    if (!gone) throw new AppError("NOT_FOUND", `No notification destination ${destinationId}`);
    await recordAudit(tx, ctx, {
      action: "notification.destination.delete",
      targetType: DESTINATION_TARGET,
      targetId: destinationId,
      reason: reason ?? null,
      before: { name: gone.name, kind: gone.kind, url_hint: gone.urlHint, min_severity: gone.minSeverity, enabled: gone.enabled },
    });
    return { id: destinationId, deleted: true as const };
  });
}
