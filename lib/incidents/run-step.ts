import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { getIncidentRow, type IncidentRow, incidentRef, placeholderValues } from "@/db/queries/incidents";
import { getRunbook } from "@/db/queries/runbooks";
import { getSessionSummaries } from "@/db/queries/sessions";
import { parseTimelineQuery } from "@/db/queries/timeline";
import { incidentSteps, incidents } from "@/db/schema";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError, describeError } from "@/lib/errors";
import { getCommunications } from "@/lib/forensics/communications";
import { takeSnapshot } from "@/lib/forensics/evidence";
import { getSessionTimeline } from "@/lib/forensics/session-timeline";
import { automaticKillReason, type KillSwitchSettings, killAgent } from "@/lib/killswitch";
import { AlreadyRotatedError, startRotation } from "@/lib/rotation/start-rotation";
import { type AutomatedAction, fillPlaceholders, type RunbookStep } from "@/lib/runbooks";
import { readIncident } from "./read-incident";
import { recordIncidentActivity } from "./record";
import { incidentIdSchema, noteInput, reasonInput } from "./schemas";
import { STALE_RUN_MS } from "./step-controls";
import type { IncidentView } from "./types";

const incidentOpen = (id: number) => sql`EXISTS (SELECT 1 FROM ${incidents} WHERE ${incidents.id} = ${id} AND ${incidents.status} <> 'closed')`;

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

async function stepState(db: Queryable, incidentId: number, stepId: string): Promise<string> {
  const [s] = await db
    .select({ state: incidentSteps.state })
    .from(incidentSteps)
    .where(and(eq(incidentSteps.incidentId, incidentId), eq(incidentSteps.stepId, stepId)));
  return s?.state ?? "missing";
}

/** Each (session, agent) pair the incident covers: a session id several agents wrote under is each of its agents' part. */
async function sessionTargets(db: Queryable, row: IncidentRow): Promise<{ sessionId: string; agentId: string }[]> {
  const targets = [];
  for (const sessionId of row.sessionIds) {
    for (const s of await getSessionSummaries(db, sessionId)) if (row.agentIds.includes(s.agent_id)) targets.push({ sessionId, agentId: s.agent_id });
  }
  if (targets.length === 0) throw new AppError("VALIDATION", `${incidentRef(row.id)} names no session of its agents; add one or skip this step`);
  return targets;
}

/**
 * What each automated action does, for every agent or session the incident covers. Results go into
 * `output` as they come, so a run that fails half way still shows what it did.
 */
async function perform(
  ctx: Ctx,
  settings: KillSwitchSettings,
  row: IncidentRow,
  stepId: string,
  action: AutomatedAction,
  output: Record<string, unknown[]>,
): Promise<"done" | "waiting"> {
  const values = placeholderValues(row);
  const add = (key: string, item: unknown) => {
    output[key] = [...(output[key] ?? []), item];
  };
  switch (action.action) {
    case "kill_agent": {
      for (const agentId of row.agentIds) {
        // Session ids in the template are the agent's choice: an odd or long one must not stop the kill.
        const reason = automaticKillReason(fillPlaceholders(action.reasonTemplate, { ...values, agent_id: agentId }));
        const k = await killAgent({ ctx, settings, input: { agentId, reason } });
        add("killed", { agent_id: k.agent_id, reason: k.reason, killed_at: k.killed_at });
      }
      return "done";
    }
    case "snapshot": {
      for (const { sessionId, agentId } of await sessionTargets(ctx.db, row)) {
        const s = await takeSnapshot({ ctx, input: { sessionId, body: { agent_id: agentId } } });
        add("snapshots", {
          session_id: sessionId,
          agent_id: agentId,
          snapshot_id: s.snapshot_id,
          event_count: s.event_count,
          ndjson_sha256: s.ndjson_sha256,
          links: s.links,
        });
      }
      return "done";
    }
    case "trace_communications": {
      const since = fillPlaceholders(action.sinceTemplate, values);
      for (const agentId of row.agentIds) {
        const c = await getCommunications({ ctx, input: { agentId, params: new URLSearchParams({ since }) } });
        add("traces", { agent_id: agentId, since: c.since, peers: c.peers });
      }
      return "done";
    }
    case "build_timeline": {
      for (const { sessionId, agentId } of await sessionTargets(ctx.db, row)) {
        const t = await getSessionTimeline({ ctx, input: { sessionId, query: parseTimelineQuery(new URLSearchParams({ limit: "1", agent_id: agentId })) } });
        if (!("anomalies" in t)) throw new AppError("INTERNAL", `The timeline of session ${sessionId} came without its analysis`);
        add("timelines", {
          session_id: sessionId,
          agent_id: agentId,
          event_count: t.event_count,
          anomalies: t.anomalies.length,
          injection_point: t.injection_point && { event_id: t.injection_point.event_id, rule: t.injection_point.rule, reason: t.injection_point.reason },
          link: `/sessions/${encodeURIComponent(sessionId)}?agent=${encodeURIComponent(agentId)}`,
        });
      }
      return "done";
    }
    case "rotate_credentials": {
      try {
        await startRotation({ ctx, input: { incident_id: row.id }, incidentStepId: stepId });
        return "waiting";
      } catch (err) {
        // Rotated already, by the incident's runs (a retry started from the agent page or the CLI, say): the step's work is done.
        if (!(err instanceof AlreadyRotatedError)) throw err;
        for (const r of err.rotated) add("already_rotated", r);
        return "done";
      }
    }
  }
}

/**
 * Runs an automated step (responder+). Claiming the step is one UPDATE from pending or failed to
 * running, committed before the action starts: two responders pressing the button at once run it
 * once, and the other is told it is already running. The outcome (done with its output, or failed
 * with why) is recorded whatever happens; a step that starts longer work (a credential rotation run)
 * answers "running" and is completed by that work when it ends.
 */
export async function runStep({
  ctx,
  settings,
  input,
}: {
  ctx: Ctx;
  settings: KillSwitchSettings;
  input: { incidentId: unknown; stepId: string };
}): Promise<{ incident: IncidentView; outcome: "done" | "failed" | "running"; error: string | null }> {
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
      .set({ state: "running", attempts: sql`${incidentSteps.attempts} + 1`, actor: who, startedAt: sql`now()`, finishedAt: null, error: null, output: null })
      .where(
        and(
          eq(incidentSteps.incidentId, row.id),
          eq(incidentSteps.stepId, step.id),
          or(
            inArray(incidentSteps.state, ["pending", "failed"]),
            // A running step whose output already names the work it started (a rotation run) is ended by that work, however long it takes.
            and(
              eq(incidentSteps.state, "running"),
              isNull(incidentSteps.output),
              sql`${incidentSteps.startedAt} < now() - ${`${STALE_RUN_MS} milliseconds`}::interval`,
            ),
          ),
          incidentOpen(row.id),
        ),
      )
      .returning({ attempts: incidentSteps.attempts });
    if (claim)
      await recordIncidentActivity(tx, ctx, row.id, {
        kind: "step_started",
        summary: `Started "${step.title}"`,
        detail: { step_id: step.id, attempt: claim.attempts },
      });
    return claim;
  });
  if (!claimed) {
    const state = await stepState(ctx.db, row.id, step.id);
    throw new AppError(
      "CONFLICT",
      `Step ${step.id} ("${step.title}") of ${incidentRef(row.id)} is ${state === "pending" ? "not runnable: the incident is closed" : state}; it runs once`,
      {
        details: { state },
      },
    );
  }

  const output: Record<string, unknown[]> = {};
  let error: string | null = null;
  try {
    if ((await perform(ctx, settings, row, step.id, action, output)) === "waiting") {
      // The step stays running; the work it started completes it (a rotation run, when it finishes).
      return { incident: await readIncident(ctx, row.id), outcome: "running", error: null };
    }
  } catch (err) {
    // Our own refusals are already sentences for the responder; anything else keeps its kind.
    error = err instanceof AppError ? err.message : describeError(err);
  }
  const finish = (state: "done" | "failed", why: string | null) =>
    ctx.db.transaction(async (tx) => {
      // Only this run's claim is finished: a run taken over after going stale does not overwrite the newer one.
      const [finished] = await tx
        .update(incidentSteps)
        .set({ state, finishedAt: sql`now()`, output, error: why })
        .where(
          and(
            eq(incidentSteps.incidentId, row.id),
            eq(incidentSteps.stepId, step.id),
            eq(incidentSteps.state, "running"),
            eq(incidentSteps.attempts, claimed.attempts),
          ),
        )
        .returning({ stepId: incidentSteps.stepId });
      await recordIncidentActivity(tx, ctx, row.id, {
        kind: !finished ? "step_superseded" : why ? "step_failed" : "step_done",
        summary: !finished
          ? `A stale run of "${step.title}" ended after another run took over`
          : why
            ? `"${step.title}" failed: ${why}`
            : `"${step.title}" done`,
        detail: { step_id: step.id, action: action.action, attempt: claimed.attempts, output, ...(why ? { error: why } : {}) },
      });
    });
  try {
    await finish(error ? "failed" : "done", error);
  } catch (err) {
    // The action ran but its record did not commit: say so on the step rather than leave it running.
    error = `the step ran but its result could not be recorded (${describeError(err)}); check what it did before running it again`;
    await finish("failed", error);
  }
  return { incident: await readIncident(ctx, row.id), outcome: error ? "failed" : "done", error };
}

/**
 * Checks off a step done by a person (responder+): a manual step needs a note saying what was done;
 * an automated step that failed may be finished by hand the same way.
 */
export async function completeStep({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { incidentId: unknown; stepId: string; body: unknown };
}): Promise<{ incident: IncidentView }> {
  authorize(ctx, "responder", "check off runbook steps");
  const { note } = parseOrThrow(noteInput, input.body ?? {});
  const { row, step } = await loadStep(ctx, input.incidentId, input.stepId);
  const byHandAfterFailure = step.action.kind === "automated";
  if ((step.action.kind === "manual" || byHandAfterFailure) && !note) {
    throw new AppError("VALIDATION", `Step ${step.id} needs a note saying what was done`, {
      details: { errors: [{ path: "note", message: "required for this step" }] },
    });
  }
  const allowed = byHandAfterFailure ? ["failed"] : ["pending", "failed"];
  await ctx.db.transaction(async (tx) => {
    const [done] = await tx
      .update(incidentSteps)
      .set({ state: "done", actor: actorId(ctx.actor), finishedAt: new Date(), note: note ?? null })
      .where(
        and(
          eq(incidentSteps.incidentId, row.id),
          eq(incidentSteps.stepId, step.id),
          inArray(incidentSteps.state, allowed as ("pending" | "failed")[]),
          incidentOpen(row.id),
        ),
      )
      .returning({ stepId: incidentSteps.stepId });
    if (!done) {
      const state = await stepState(tx, row.id, step.id);
      throw new AppError(
        "CONFLICT",
        byHandAfterFailure && state === "pending"
          ? `Step ${step.id} of ${incidentRef(row.id)} is run by the console: press Run (it can be finished by hand only after it failed)`
          : `Step ${step.id} of ${incidentRef(row.id)} is ${state}`,
        { details: { state } },
      );
    }
    await recordIncidentActivity(tx, ctx, row.id, {
      kind: "step_done",
      summary: `"${step.title}" checked off${note ? `: ${note}` : ""}`,
      detail: { step_id: step.id, by_hand: true, note: note ?? null },
    });
  });
  return { incident: await readIncident(ctx, row.id) };
}

/** Skips a pending or failed step with a reason (responder+). */
export async function skipStep({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { incidentId: unknown; stepId: string; body: unknown };
}): Promise<{ incident: IncidentView }> {
  authorize(ctx, "responder", "skip runbook steps");
  const { reason } = parseOrThrow(reasonInput, input.body ?? {});
  const { row, step } = await loadStep(ctx, input.incidentId, input.stepId);
  await ctx.db.transaction(async (tx) => {
    const [skipped] = await tx
      .update(incidentSteps)
      .set({ state: "skipped", actor: actorId(ctx.actor), finishedAt: new Date(), note: reason })
      .where(
        and(eq(incidentSteps.incidentId, row.id), eq(incidentSteps.stepId, step.id), inArray(incidentSteps.state, ["pending", "failed"]), incidentOpen(row.id)),
      )
      .returning({ stepId: incidentSteps.stepId });
    if (!skipped)
      throw new AppError(
        "CONFLICT",
        `Step ${step.id} of ${incidentRef(row.id)} is ${await stepState(tx, row.id, step.id)}; only a pending or failed step can be skipped`,
      );
    await recordIncidentActivity(tx, ctx, row.id, {
      kind: "step_skipped",
      summary: `"${step.title}" skipped: ${reason}`,
      detail: { step_id: step.id },
      reason,
    });
  });
  return { incident: await readIncident(ctx, row.id) };
}
