import { and, inArray, ne, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { incidentRef } from "@/db/queries/incidents";
import { agentExists } from "@/db/queries/ingest-keys";
import { getRunbook } from "@/db/queries/runbooks";
import { alerts, incidentSteps, incidents } from "@/db/schema";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { SEVERITIES, type Severity } from "@/lib/detect/types";
import { AppError } from "@/lib/errors";
import { ensureShippedRunbooks } from "@/lib/runbooks/store";
import { readIncident } from "./read-incident";
import { recordIncidentActivity } from "./record";
import { openIncidentInput } from "./schemas";
import type { IncidentView } from "./types";

const DEFAULT_RUNBOOK = "agent_compromise_runbook";

const worst = (severities: Severity[]): Severity | undefined => severities.sort((a, b) => SEVERITIES.indexOf(b) - SEVERITIES.indexOf(a))[0];

/** How the incident page names a person or token. */
export function actorName(ctx: Ctx): string {
  const a = ctx.actor;
  return a.type === "user" ? a.email : a.type === "api_token" ? `token ${a.name}` : actorId(a);
}

/**
 * Which open incident holds an alert is decided one transaction at a time: checking that no other
 * open incident holds it and writing it down happen under this lock, so two incidents cannot both take it.
 */
export async function lockAlertOwnership(tx: Tx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('agentsoc:incident_alerts'))`);
}

/**
 * Opens an incident (responder+), from alerts or by hand: the agents and sessions it covers, the
 * runbook it follows (at its current version, kept for the incident's life) with every step
 * pending, the escalation path, and the opener as owner.
 */
export async function openIncident({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<IncidentView> {
  authorize(ctx, "responder", "open incidents");
  const body = parseOrThrow(openIncidentInput, input ?? {});

  const fromAlerts = body.alert_ids.length === 0 ? [] : await ctx.db.select().from(alerts).where(inArray(alerts.id, body.alert_ids));
  const missing = body.alert_ids.filter((id) => !fromAlerts.some((a) => a.id === id));
  if (missing.length > 0) {
    throw new AppError("NOT_FOUND", `No alert ${missing.join(", ")}`, {
      details: { errors: [{ path: "alert_ids", message: `unknown: ${missing.join(", ")}` }] },
    });
  }
  const agentIds = [...new Set([...body.agent_ids, ...fromAlerts.map((a) => a.agentId)])];
  const sessionIds = [...new Set([...body.session_ids, ...fromAlerts.flatMap((a) => (a.sessionId ? [a.sessionId] : []))])];
  if (agentIds.length === 0) {
    throw new AppError("VALIDATION", "An incident needs an agent: pass agent_ids or alert_ids", {
      details: { errors: [{ path: "agent_ids", message: "at least one agent" }] },
    });
  }
  for (const agentId of agentIds) {
    if (!(await agentExists(ctx.db, agentId))) {
      throw new AppError("NOT_FOUND", `No agent ${agentId} is registered`, {
        details: { errors: [{ path: "agent_ids", message: `unknown agent ${agentId}` }] },
      });
    }
  }

  const wanted = body.runbook_id ? { id: body.runbook_id } : { name: DEFAULT_RUNBOOK };
  // The server loads the shipped runbooks at start; a database it has not started on yet gets them here.
  const runbook = (await getRunbook(ctx.db, wanted)) ?? (body.runbook_id ? null : await ensureShippedRunbooks(ctx.db).then(() => getRunbook(ctx.db, wanted)));
  if (!runbook) {
    throw new AppError("NOT_FOUND", `No runbook ${body.runbook_id ?? DEFAULT_RUNBOOK}`, {
      details: { errors: [{ path: "runbook_id", message: "unknown runbook" }] },
    });
  }
  const definition = runbook.definition;
  const severity = body.severity ?? worst(fromAlerts.map((a) => a.severity)) ?? definition.severity;
  const title = body.title ?? (fromAlerts[0] ? `${fromAlerts[0].type.replaceAll("_", " ")} on ${agentIds.join(", ")}` : `Incident on ${agentIds.join(", ")}`);

  const id = await ctx.db.transaction(async (tx) => {
    if (body.alert_ids.length > 0) {
      await lockAlertOwnership(tx);
      const [already] = await tx
        .select({ id: incidents.id })
        .from(incidents)
        .where(and(ne(incidents.status, "closed"), sql`${incidents.alertIds} && ${sql.param(body.alert_ids)}::int8[]`))
        .limit(1);
      if (already) {
        throw new AppError("CONFLICT", `${incidentRef(already.id)} already covers alert ${body.alert_ids.join(", ")}; work it there`, {
          details: { incident_id: already.id, link: `/incidents/${already.id}` },
        });
      }
    }
    const [row] = await tx
      .insert(incidents)
      .values({
        title,
        severity,
        agentIds,
        sessionIds,
        alertIds: body.alert_ids,
        runbookId: runbook.id,
        runbookVersion: runbook.version,
        ownerId: actorId(ctx.actor),
        ownerName: actorName(ctx),
        escalation: definition.escalationPath.map((role) => ({ role, paged_at: null, paged_by: null })),
        openedBy: actorId(ctx.actor),
        startedAt: new Date(Math.min(Date.now(), ...fromAlerts.flatMap((a) => (a.firstEventAt ? [a.firstEventAt.getTime()] : [])))),
      })
      .returning({ id: incidents.id });
    if (!row) throw new AppError("INTERNAL", "The incident could not be stored");
    const steps = definition.phases.flatMap((p) => p.steps);
    await tx.insert(incidentSteps).values(steps.map((s, position) => ({ incidentId: row.id, stepId: s.id, position, phase: s.phase, title: s.title })));
    await recordIncidentActivity(tx, ctx, row.id, {
      kind: "opened",
      summary: `${incidentRef(row.id)} opened (${severity}) with runbook ${definition.name} v${runbook.version}`,
      detail: {
        title,
        severity,
        agent_ids: agentIds,
        session_ids: sessionIds,
        alert_ids: body.alert_ids,
        runbook: definition.name,
        runbook_version: runbook.version,
      },
    });
    return row.id;
  });
  return readIncident(ctx, id);
}
