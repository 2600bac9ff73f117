import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { incidentActivity, incidentSteps, incidents, runbooks, runbookVersions } from "@/db/schema";
import {
  type ActivityView,
  type IncidentStatus,
  type IncidentSummary,
  incidentRef,
  type StepKind,
  type StoredIncident,
  type StoredStepView,
} from "@/lib/incidents/types";
import type { RunbookDefinition, RunbookStep } from "@/lib/runbooks";
import { isOverdue } from "@/lib/runbooks/duration";
import { fillPlaceholders } from "@/lib/runbooks/fill-placeholders";
import { deliveryStates, destinationsForRoles } from "./notifications";

export type IncidentRow = typeof incidents.$inferSelect;

export { incidentRef };

/** What `{agent_id}`, `{session_id}`, `{incident_id}` and `{incident_start}` become for this incident. */
export function placeholderValues(row: Pick<IncidentRow, "id" | "agentIds" | "sessionIds" | "startedAt">) {
  return {
    agent_id: row.agentIds[0],
    session_id: row.sessionIds[0],
    incident_id: incidentRef(row.id),
    incident_start: row.startedAt.toISOString(),
  };
}

export function stepKind(step: RunbookStep): StepKind {
  return step.action.kind;
}

/**
 * The command as a person would run it, values filled and shell-quoted. When a value is missing or
 * unsafe to paste into a shell (an agent-chosen session id starting with "-", say), the template
 * itself, with the reason: never a half-filled command.
 */
function commandFor(step: RunbookStep, row: IncidentRow): { command: string | null; problem: string | null } {
  const template = step.command ?? (step.action.kind === "command" ? step.action.command : null);
  if (!template) return { command: null, problem: null };
  try {
    return { command: fillPlaceholders(template, placeholderValues(row), { shell: true }), problem: null };
  } catch (err) {
    return { command: template, problem: err instanceof Error ? err.message : String(err) };
  }
}

function summaryOf(row: IncidentRow, steps: { state: string }[]): IncidentSummary {
  return {
    id: row.id,
    ref: incidentRef(row.id),
    title: row.title,
    severity: row.severity,
    status: row.status,
    agent_ids: row.agentIds,
    session_ids: row.sessionIds,
    owner: { id: row.ownerId, name: row.ownerName },
    opened_at: row.openedAt.toISOString(),
    closed_at: row.closedAt?.toISOString() ?? null,
    steps_done: steps.filter((s) => s.state === "done" || s.state === "skipped").length,
    steps_total: steps.length,
  };
}

export async function getIncidentRow(db: Queryable, id: number): Promise<IncidentRow | null> {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  return row ?? null;
}

/** The incident as its page shows it: the runbook's steps in order with their state, and the activity timeline. */
export async function getIncident(db: Queryable, id: number, now = new Date()): Promise<StoredIncident | null> {
  const row = await getIncidentRow(db, id);
  if (!row) return null;
  const [[runbook], steps, activity] = await Promise.all([
    db
      .select({ name: runbooks.name, definition: runbookVersions.definition })
      .from(runbookVersions)
      .innerJoin(runbooks, eq(runbooks.id, runbookVersions.runbookId))
      .where(and(eq(runbookVersions.runbookId, row.runbookId), eq(runbookVersions.version, row.runbookVersion))),
    db.select().from(incidentSteps).where(eq(incidentSteps.incidentId, id)).orderBy(asc(incidentSteps.position)),
    db.select().from(incidentActivity).where(eq(incidentActivity.incidentId, id)).orderBy(asc(incidentActivity.id)),
  ]);
  const [mapped, deliveries] = await Promise.all([
    destinationsForRoles(
      db,
      row.escalation.map((e) => e.role),
    ),
    deliveryStates(
      db,
      row.escalation.flatMap((e) => e.delivery_ids ?? []),
    ),
  ]);
  const definition: RunbookDefinition | undefined = runbook?.definition;
  const byId = new Map(definition?.phases.flatMap((p) => p.steps.map((s) => [s.id, s] as const)) ?? []);

  const stepView = (s: (typeof steps)[number]): StoredStepView => {
    const step = byId.get(s.stepId);
    const timeout = step?.timeoutSeconds ?? null;
    const since = s.state === "running" ? s.startedAt : s.state === "pending" ? row.openedAt : null;
    const filled = step ? commandFor(step, row) : { command: null, problem: null };
    return {
      step_id: s.stepId,
      phase: s.phase,
      position: s.position,
      title: s.title,
      description: step?.description ?? null,
      kind: step ? stepKind(step) : "manual",
      action: step?.action.kind === "automated" ? step.action.action : null,
      command: filled.command,
      command_problem: filled.problem,
      timeout_seconds: timeout,
      timeout_text: step?.timeoutText ?? null,
      state: s.state,
      attempts: s.attempts,
      actor: s.actor,
      started_at: s.startedAt?.toISOString() ?? null,
      finished_at: s.finishedAt?.toISOString() ?? null,
      note: s.note,
      output: (s.output as Record<string, unknown> | null) ?? null,
      error: s.error,
      output_withheld: null,
      overdue: row.status !== "closed" && since !== null && isOverdue(since, timeout, now),
    };
  };

  const views = steps.map(stepView);
  return {
    ...summaryOf(row, steps),
    alert_ids: row.alertIds,
    runbook: { id: row.runbookId, name: runbook?.name ?? "(missing)", version: row.runbookVersion },
    escalation: row.escalation.map((e) => ({
      role: e.role,
      paged_at: e.paged_at,
      paged_by: e.paged_by,
      destinations: mapped.get(e.role) ?? [],
      sent: (e.delivery_ids ?? []).length > 0,
      deliveries: (e.delivery_ids ?? []).flatMap((d) => deliveries.get(d) ?? []),
    })),
    opened_by: row.openedBy,
    post_incident_notes: row.postIncidentNotes,
    phases: (definition?.phases ?? []).map((p) => ({ key: p.key, title: p.title, steps: views.filter((v) => v.phase === p.key) })),
    activity: activity.map(
      (a): ActivityView => ({
        id: a.id,
        at: a.at.toISOString(),
        actor: a.actor,
        kind: a.kind,
        summary: a.summary,
        detail: (a.detail as Record<string, unknown> | null) ?? null,
      }),
    ),
  };
}

/** Newest first; `active` means every status but closed. */
export async function listIncidents(db: Queryable, status: IncidentStatus | "active" | null, limit = 200): Promise<IncidentSummary[]> {
  const where = status === "active" ? ne(incidents.status, "closed") : status ? eq(incidents.status, status) : undefined;
  const rows = await db.select().from(incidents).where(where).orderBy(desc(incidents.id)).limit(limit);
  if (rows.length === 0) return [];
  const counts = await db
    .select({ incidentId: incidentSteps.incidentId, state: incidentSteps.state })
    .from(incidentSteps)
    .where(sql`${incidentSteps.incidentId} = ANY(${sql.param(rows.map((r) => r.id))}::int8[])`);
  return rows.map((r) =>
    summaryOf(
      r,
      counts.filter((c) => c.incidentId === r.id),
    ),
  );
}

/** Incidents not closed that name the agent: reviving it needs the security review. */
export async function openIncidentsCovering(db: Queryable, agentId: string): Promise<number[]> {
  const rows = await db
    .select({ id: incidents.id })
    .from(incidents)
    .where(and(ne(incidents.status, "closed"), sql`${incidents.agentIds} @> ARRAY[${agentId}]::text[]`));
  return rows.map((r) => r.id);
}
