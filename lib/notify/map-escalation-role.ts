import { eq } from "drizzle-orm";
import { listEscalationRoles } from "@/db/queries/notifications";
import { escalationRoleDestinations, notificationDestinations } from "@/db/schema";
import { ESCALATION_ROLE_TARGET } from "@/db/schema/notifications";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { mapEscalationRoleInput, mappingIdSchema, optionalReasonSchema } from "./schemas";
import type { EscalationRoleMappingView, EscalationRolesView } from "./views";

/** The mappings and the roles runbooks name (admin). */
export async function readEscalationRoles({ ctx }: { ctx: Ctx }): Promise<EscalationRolesView> {
  authorize(ctx, "admin", "read where escalation roles are paged");
  return listEscalationRoles(ctx.db);
}

/** Sends pages to an escalation role through a destination as well (admin). The role need not be in a runbook yet. */
export async function mapEscalationRole({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<EscalationRoleMappingView> {
  authorize(ctx, "admin", "map escalation roles to notification destinations");
  const { role, destination_id: destinationId, reason } = parseOrThrow(mapEscalationRoleInput, input);
  const id = await ctx.db.transaction(async (tx) => {
    const [destination] = await tx
      .select({ name: notificationDestinations.name, kind: notificationDestinations.kind })
      .from(notificationDestinations)
      .where(eq(notificationDestinations.id, destinationId));
    if (!destination) throw new AppError("NOT_FOUND", `No notification destination ${destinationId}`);
    const [row] = await tx
      .insert(escalationRoleDestinations)
      .values({ role, destinationId, createdBy: actorId(ctx.actor) })
      .onConflictDoNothing()
      .returning({ id: escalationRoleDestinations.id });
    if (!row) throw new AppError("CONFLICT", `${role} is already paged through ${destination.name}`);
    await recordAudit(tx, ctx, {
      action: "notification.escalation_role.map",
      targetType: ESCALATION_ROLE_TARGET,
      targetId: role,
      reason: reason ?? null,
      after: { mapping_id: row.id, role, destination_id: destinationId, destination_name: destination.name, destination_kind: destination.kind },
    });
    return row.id;
  });
  const mapping = (await listEscalationRoles(ctx.db)).mappings.find((m) => m.id === id);
  if (!mapping) throw new AppError("CONFLICT", "the mapping was removed as it was made");
  return mapping;
}

/** Stops paging a role through one destination (admin); a page to a role left without destinations is only recorded. */
export async function unmapEscalationRole({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { mappingId: string; reason?: unknown };
}): Promise<{ id: string; deleted: true }> {
  authorize(ctx, "admin", "map escalation roles to notification destinations");
  const mappingId = parseOrThrow(mappingIdSchema, input.mappingId);
  const reason = parseOrThrow(optionalReasonSchema, input.reason, "reason");
  return ctx.db.transaction(async (tx) => {
    const [gone] = await tx.delete(escalationRoleDestinations).where(eq(escalationRoleDestinations.id, mappingId)).returning();
    if (!gone) throw new AppError("NOT_FOUND", `No escalation role mapping ${mappingId}`);
    const [destination] = await tx
      .select({ name: notificationDestinations.name })
      .from(notificationDestinations)
      .where(eq(notificationDestinations.id, gone.destinationId));
    await recordAudit(tx, ctx, {
      action: "notification.escalation_role.unmap",
      targetType: ESCALATION_ROLE_TARGET,
      targetId: gone.role,
      reason: reason ?? null,
      before: { mapping_id: gone.id, role: gone.role, destination_id: gone.destinationId, destination_name: destination?.name ?? null },
    });
    return { id: mappingId, deleted: true as const };
  });
}
