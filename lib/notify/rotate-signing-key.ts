import { eq, sql } from "drizzle-orm";
import { notificationDestinations } from "@/db/schema";
import { DESTINATION_TARGET } from "@/db/schema/notifications";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { destinationIdSchema, optionalReasonSchema } from "./schemas";
import { requireSocSecret } from "./seal";
import { signingKeyFor } from "./signing";

export interface RotatedKey {
  destination_id: string;
  signing_key_version: number;
  /** Shown this once; every delivery sent from now on, pending ones included, is signed with it. */
  signing_key: string;
}

/** Replaces a JSON destination's signing key (admin) by bumping its version; audited without the key. */
export async function rotateSigningKey({ ctx, input }: { ctx: Ctx; input: { destinationId: string; reason?: unknown } }): Promise<RotatedKey> {
  authorize(ctx, "admin", "rotate notification signing keys");
  const destinationId = parseOrThrow(destinationIdSchema, input.destinationId);
  const reason = parseOrThrow(optionalReasonSchema, input.reason, "reason");
  const secret = requireSocSecret("rotate a signing key (keys are derived from SOC_SECRET)");
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ kind: notificationDestinations.kind, name: notificationDestinations.name, version: notificationDestinations.signingKeyVersion })
      .from(notificationDestinations)
      .where(eq(notificationDestinations.id, destinationId))
      .for("update");
    if (!before) throw new AppError("NOT_FOUND", `No notification destination ${destinationId}`);
    if (before.kind !== "json")
      throw new AppError("CONFLICT", `${before.name} is a Slack webhook: Slack deliveries are not signed, so it has no key to rotate`);
    const [after] = await tx
      .update(notificationDestinations)
      .set({ signingKeyVersion: sql`${notificationDestinations.signingKeyVersion} + 1` })
      .where(eq(notificationDestinations.id, destinationId))
      .returning({ version: notificationDestinations.signingKeyVersion });
    if (!after) throw new AppError("NOT_FOUND", `No notification destination ${destinationId}`);
    await recordAudit(tx, ctx, {
      action: "notification.destination.rotate_key",
      targetType: DESTINATION_TARGET,
      targetId: destinationId,
      reason: reason ?? null,
      before: { signing_key_version: before.version },
      after: { signing_key_version: after.version },
    });
    return { destination_id: destinationId, signing_key_version: after.version, signing_key: signingKeyFor(secret, destinationId, after.version) };
  });
}
