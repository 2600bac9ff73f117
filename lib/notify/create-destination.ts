import { randomUUID } from "node:crypto";
import { getDestination } from "@/db/queries/notifications";
import { notificationDestinations } from "@/db/schema";
import { DESTINATION_TARGET } from "@/db/schema/notifications";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { assertEgressAllowed } from "@/lib/egress";
import type { DestinationView } from "@/lib/notify/views";
import { createDestinationInput, urlHintOf } from "./schemas";
import { requireSocSecret, sealText } from "./seal";
import { signingKeyFor } from "./signing";

export interface CreatedDestination {
  destination: DestinationView;
  /** For generic JSON destinations: the HMAC key receivers verify with, shown this once. Slack deliveries are not signed. */
  signing_key: string | null;
}

/** Adds a webhook destination (admin). The URL is sealed with SOC_SECRET and left out of the audit row. */
export async function createDestination({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<CreatedDestination> {
  authorize(ctx, "admin", "create notification destinations");
  const { name, kind, url, min_severity: minSeverity, enabled } = parseOrThrow(createDestinationInput, input);
  const secret = requireSocSecret("create a notification destination (its URL is stored encrypted with SOC_SECRET)");
  await assertEgressAllowed(url, "url");
  const id = randomUUID();
  const urlHint = urlHintOf(url);
  const destination = await ctx.db.transaction(async (tx) => {
    await tx
      .insert(notificationDestinations)
      .values({ id, name, kind, urlSealed: sealText(url, secret), urlHint, minSeverity, enabled, createdBy: actorId(ctx.actor) });
    await recordAudit(tx, ctx, {
      action: "notification.destination.create",
      targetType: DESTINATION_TARGET,
      targetId: id,
      after: { name, kind, url_hint: urlHint, min_severity: minSeverity, enabled },
    });
    return getDestination(tx, id);
  });
  if (!destination) throw new Error("destination insert returned no row");
  return { destination, signing_key: kind === "json" ? signingKeyFor(secret, id, destination.signing_key_version) : null };
}
