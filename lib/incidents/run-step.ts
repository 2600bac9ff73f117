import { and, eq, inArray, or, sql } from "drizzle-orm";
import { getIncident, getIncidentRow, incidentRef, placeholderValues } from "@/db/queries/incidents";
import { getRunbook } from "@/db/queries/runbooks";
import { parseTimelineQuery } from "@/db/queries/timeline";
import { incidentSteps } from "@/db/schema";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError, describeError } from "@/lib/errors";
import { takeSnapshot } from "@/lib/forensics/evidence";
import { getCommunications } from "@/lib/forensics/communications";
import { getSessionTimeline } from "@/lib/forensics/session-timeline";
import { killAgent, type KillSwitchSettings } from "@/lib/killswitch";
import { type AutomatedAction, fillPlaceholders, type RunbookStep } from "@/lib/runbooks";
import { recordIncidentActivity } from "./record";
import { incidentIdSchema, noteInput, reasonInput } from "./schemas";
import type { IncidentView } from "./types";

/** A step left "running" this long (the process died mid-run) may be run again. */
const STALE_RUN_MS = 10 * 60_000;

type IncidentRow = NonNullable<Awaited<ReturnType<typeof getIncidentRow>>>;

async function loadStep(ctx: Ctx, incidentIdRaw: unknown, stepId: string): Promise<{ row: IncidentRow; step: RunbookStep }> {
  const incidentId = parseOrThrow(incidentIdSchema, incidentIdRaw);
  const row = await getIncidentRow(ctx.db, incidentId);
  if (!row) throw new AppError("NOT_FOUND", `No incident ${incidentRef(incidentId)}`);
  if (row.status === "closed") throw new AppError("CONFLICT", `${incidentRef(row.id)} is closed; reopen it to work its runbook`);
  const runbook = await getRunbook(ctx.db, { id: row.runbookId }, row.runbookVersion);
  const step = runbook?.definition.phases.flatMap((p) => p.steps).find((s) => s.id === stepId);
  if (!step) throw new AppError("NOT_FOUND", `${incidentRef(row.id)} has no step ${stepId}`);
  return { row, step };
}

async function stepState(ctx: Ctx, incidentId: number, stepId: string): Promise<string> {
  const [s] = await ctx.db.select({ state: incidentSteps.state }).from(incidentSteps).where(and(eq(incidentSteps.incidentId, incidentId), eq(incidentSteps.stepId, stepId)));
  return s?.state ?? "missing";
}

async function view(ctx: Ctx, id: number): Promise<IncidentView> {
  const incident = await getIncident(ctx.db, id);
  if (!incident) throw new AppError("NOT_FOUND", `No incident ${incidentRef(id)}`);
  return incident;
}

/** What each automated action does, for every agent or session the incident covers. */
async function perform(ctx: Ctx, settings: KillSwitchSettings, row: IncidentRow, action: AutomatedAction): Promise<Record<string, unknown>> {
  const values = placeholderValues(row);
  switch (action.action) {
    case "kill_agent": {
      const reason = fillPlaceholders(action.reasonTemplate, values);
      const killed = [];
      for (const agentId of row.agentIds) killed.push(await killAgent({ ctx, settings, input: { agentId, reason } }));
      return { killed: killed.map((k) => ({ agent_id: k.agent_id, reason: k.reason, killed_at: k.killed_at })) };
    }
    case "snapshot": {
      if (row.sessionIds.length === 0) throw new AppError("VALIDATION", `${incidentRef(row.id)} names no session to snapshot; add one or skip this step`);
      const snapshots = [];
      for (const sessionId of row.sessionIds) {
        const agentId = row.agentIds.length === 1 ? row.agentIds[0] : undefined;
        const s = await takeSnapshot({ ctx, input: { sessionId, body: agentId ? { agent_id: agentId } : {} } });
        snapshots.push({ session_id: sessionId, snapshot_id: s.snapshot_id, event_count: s.event_count, ndjson_sha256: s.ndjson_sha256, links: s.links });
      }
      return { snapshots };
    }
    case "trace_communications": {
      const since = fillPlaceholders(action.sinceTemplate, values);
      const traces = [];
      for (const agentId of row.agentIds) {
        const c = await getCommunications({ ctx, input: { agentId, params: new URLSearchParams({ since }) } });
        traces.push({ agent_id: agentId, since: c.since, peers: c.peers });
      }
      return { traces };
    }
    case "build_timeline": {
      if (row.sessionIds.length === 0) throw new AppError("VALIDATION", `${incidentRef(row.id)} names no session to rebuild; add one or skip this step`);
      const timelines = [];
      for (const sessionId of row.sessionIds) {
        const agentId = row.agentIds.length === 1 ? row.agentIds[0] : undefined;
        const t = await getSessionTimeline({ ctx, input: { sessionId, query: parseTimelineQuery(new URLSearchParams({ limit: "1", ...(agentId ? { agent_id: agentId } : {}) })) } });
        if (!("anomalies" in t)) continue;
        timelines.push({
          session_id: sessionId,
          agent_id: t.agent_id,
          event_count: t.event_count,
          anomalies: t.anomalies.length,
          injection_point: t.injection_point && { event_id: t.injection_point.event_id, rule: t.injection_point.rule, reason: t.injection_point.reason },
          link: `/sessions/${encodeURIComponent(sessionId)}?agent=${encodeURIComponent(t.agent_id)}`,
        });
      }
      return { timelines };
    }
    case "rotate_credentials":
      throw new AppError(
        "UNAVAILABLE",
        "Credential rotation is not built into this console yet: rotate the agent's credentials by hand, then mark this step done with a note of what was rotated",
      );
  }
}

/**
 * Runs an automated step (responder+). Claiming the step is one UPDATE from pending or failed to
 * running, committed before the action starts: two responders pressing the button at once run it
 * once, and the other is told it is already running. The outcome (done with its output, or failed
 * with why) is recorded whatever happens.
 */
export async function runStep({
  ctx,
  settings,
  input,
}: {
  ctx: Ctx;
  settings: KillSwitchSettings;
  input: { incidentId: unknown; stepId: string };
}): Promise<{ incident: IncidentView; outcome: "done" | "failed"; error: string | null }> {
  authorize(ctx, "responder", "run runbook steps");
  const { row, step } = await loadStep(ctx, input.incidentId, input.stepId);
  if (step.action.kind !== "automated") {
    throw new AppError("VALIDATION", `Step ${step.id} ("${step.title}") is done by a person: mark it done with a note`);
  }
  const action = step.action;
  const who = actorId(ctx.actor);
  const claimed = await ctx.db.transaction(async (tx) => {
    const [claim] = await tx
      .update(incidentSteps)
      .set({ state: "running", attempts: sql`${incidentSteps.attempts} + 1`, actor: who, startedAt: new Date(), finishedAt: null, error: null })
      .where(
        and(
          eq(incidentSteps.incidentId, row.id),
          eq(incidentSteps.stepId, step.id),
          or(inArray(incidentSteps.state, ["pending", "failed"]), and(eq(incidentSteps.state, "running"), sql`${incidentSteps.startedAt} < now() - ${`${STALE_RUN_MS} milliseconds`}::interval`)),
        ),
      )
      .returning({ attempts: incidentSteps.attempts });
    if (claim) await recordIncidentActivity(tx, ctx, row.id, { kind: "step_started", summary: `Started "${step.title}"`, detail: { step_id: step.id, attempt: claim.attempts } });
    return claim;
  });
  if (!claimed) {
    const state = await stepState(ctx, row.id, step.id);
    throw new AppError("CONFLICT", `Step ${step.id} ("${step.title}") is ${state}; it runs once`, { details: { state } });
  }

  let output: Record<string, unknown> | null = null;
  let error: string | null = null;
  try {
    output = await perform(ctx, settings, row, action);
  } catch (err) {
    // Our own refusals are already sentences for the responder; anything else keeps its kind.
    error = err instanceof AppError ? err.message : describeError(err);
  }
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(incidentSteps)
      .set({ state: error ? "failed" : "done", finishedAt: new Date(), output, error })
      .where(and(eq(incidentSteps.incidentId, row.id), eq(incidentSteps.stepId, step.id)));
    await recordIncidentActivity(tx, ctx, row.id, {
      kind: error ? "step_failed" : "step_done",
      summary: error ? `"${step.title}" failed: ${error}` : `"${step.title}" done`,
      detail: { step_id: step.id, action: action.action, ...(error ? { error } : { output }) },
    });
  });
  return { incident: await view(ctx, row.id), outcome: error ? "failed" : "done", error };
}

/**
 * Checks off a step done by a person (responder+): a manual step needs a note saying what was done;
 * an automated step that failed may be finished by hand the same way.
 */
export async function completeStep({ ctx, input }: { ctx: Ctx; input: { incidentId: unknown; stepId: string; body: unknown } }): Promise<{ incident: IncidentView }> {
  authorize(ctx, "responder", "check off runbook steps");
  const { note } = parseOrThrow(noteInput, input.body ?? {});
  const { row, step } = await loadStep(ctx, input.incidentId, input.stepId);
  const byHandAfterFailure = step.action.kind === "automated";
  if ((step.action.kind === "manual" || byHandAfterFailure) && !note) {
    throw new AppError("VALIDATION", `Step ${step.id} needs a note saying what was done`, { details: { errors: [{ path: "note", message: "required for this step" }] } });
  }
  const allowed = byHandAfterFailure ? ["failed"] : ["pending", "failed"];
  await ctx.db.transaction(async (tx) => {
    const [done] = await tx
      .update(incidentSteps)
      .set({ state: "done", actor: actorId(ctx.actor), finishedAt: new Date(), note: note ?? null })
      .where(and(eq(incidentSteps.incidentId, row.id), eq(incidentSteps.stepId, step.id), inArray(incidentSteps.state, allowed as ("pending" | "failed")[])))
      .returning({ stepId: incidentSteps.stepId });
    if (!done) {
      const state = await stepState(ctx, row.id, step.id);
      throw new AppError(
        "CONFLICT",
        byHandAfterFailure && state === "pending" ? `Step ${step.id} is run by the console: press Run (it can be finished by hand only after it failed)` : `Step ${step.id} is ${state}`,
        { details: { state } },
      );
    }
    await recordIncidentActivity(tx, ctx, row.id, { kind: "step_done", summary: `"${step.title}" checked off${note ? `: ${note}` : ""}`, detail: { step_id: step.id, by_hand: true, note: note ?? null } });
  });
  return { incident: await view(ctx, row.id) };
}

/** Skips a pending or failed step with a reason (responder+). */
export async function skipStep({ ctx, input }: { ctx: Ctx; input: { incidentId: unknown; stepId: string; body: unknown } }): Promise<{ incident: IncidentView }> {
  authorize(ctx, "responder", "skip runbook steps");
  const { reason } = parseOrThrow(reasonInput, input.body ?? {});
  const { row, step } = await loadStep(ctx, input.incidentId, input.stepId);
  await ctx.db.transaction(async (tx) => {
    const [skipped] = await tx
      .update(incidentSteps)
      .set({ state: "skipped", actor: actorId(ctx.actor), finishedAt: new Date(), note: reason })
      .where(and(eq(incidentSteps.incidentId, row.id), eq(incidentSteps.stepId, step.id), inArray(incidentSteps.state, ["pending", "failed"])))
      .returning({ stepId: incidentSteps.stepId });
    if (!skipped) throw new AppError("CONFLICT", `Step ${step.id} is ${await stepState(ctx, row.id, step.id)}; only a pending or failed step can be skipped`);
    await recordIncidentActivity(tx, ctx, row.id, { kind: "step_skipped", summary: `"${step.title}" skipped: ${reason}`, detail: { step_id: step.id }, reason });
  });
  return { incident: await view(ctx, row.id) };
}
