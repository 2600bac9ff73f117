import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type Redis from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as incidentRoute } from "@/app/api/v1/incidents/[incidentId]/route";
import { appDb } from "@/db/client";
import { incidentSteps } from "@/db/schema";
import { openIncident, readIncident, runStep, setIncidentStatus, stepOutputSchema } from "@/lib/incidents";
import type { IncidentView } from "@/lib/incidents/types";
import { bearer, newAgent, readyAppRedis, userCtx } from "@/scripts/testing/fixtures";

let redis: Redis;
beforeAll(async () => {
  redis = await readyAppRedis();
});

const as = userCtx;

const stepOf = (incident: IncidentView, stepId: string) => {
  const step = incident.phases.flatMap((p) => p.steps).find((s) => s.step_id === stepId);
  if (!step) throw new Error(`no step ${stepId}`);
  return step;
};

async function store(incidentId: number, stepId: string, row: { state: "running" | "done" | "failed"; output: unknown; startedMinutesAgo?: number }) {
  await appDb()
    .update(incidentSteps)
    .set({
      state: row.state,
      output: row.output,
      attempts: 1,
      startedAt: sql`now() - ${`${row.startedMinutesAgo ?? 1} minutes`}::interval`,
      finishedAt: row.state === "running" ? null : sql`now()`,
    })
    .where(and(eq(incidentSteps.incidentId, incidentId), eq(incidentSteps.stepId, stepId)));
}

async function incidentFor() {
  const { agentId } = await newAgent({ prefix: "stepview" });
  const responder = as("responder");
  const incident = await openIncident({ ctx: responder, input: { agent_ids: [agentId], session_ids: [`sess_${randomUUID().slice(0, 8)}`] } });
  return { agentId, responder, incident };
}

describe("incident step output, typed on the server", () => {
  it("reads each action's stored output into its variant, old shapes included, and a malformed one as unrecognised text", async () => {
    const { agentId, responder, incident } = await incidentFor();
    const killed = await runStep({ ctx: responder, settings: { redis }, input: { incidentId: incident.id, stepId: "immediate_actions.1" } });
    expect(stepOf(killed.incident, "immediate_actions.1").output_view).toEqual({
      type: "killed",
      killed: [{ agent_id: agentId, reason: `Security incident ${incident.ref}`, killed_at: expect.any(String) }],
    });

    // A communications trace stored as the one trace itself, before one trace per agent.
    await store(incident.id, "immediate_actions.3", {
      state: "done",
      output: { agent_id: agentId, since: "2026-01-01T00:00:00.000Z", peers: [{ agent_id: "peer-1", sent: { reported_by_agent: 2, reported_by_peer: 1 } }] },
    });
    // A snapshot step whose stored output is not the shape snapshots are stored in.
    await store(incident.id, "immediate_actions.2", { state: "done", output: { snapshots: "lost in a migration", links: [1, 2] } });
    await store(incident.id, "investigation_steps.1", {
      state: "failed",
      output: {
        timelines: [
          {
            session_id: "s-1",
            agent_id: agentId,
            event_count: 3,
            anomalies: 1,
            injection_point: { event_id: "e-1", rule: "content_finding", reason: "injection" },
          },
        ],
      },
    });
    await store(incident.id, "remediation_steps.1", {
      state: "failed",
      output: {
        rotation_id: "r-1",
        link: "/rotations/r-1",
        rotated: [],
        failed: [{ credential_id: "c-1", name: "payments", kind: "ingest_key", agent_id: agentId, step: "verify", attempts: 3, error: "refused" }],
      },
    });

    const analyst = await readIncident(as("analyst"), incident.id);
    expect(stepOf(analyst, "immediate_actions.3").output_view).toEqual({
      type: "traces",
      traces: [
        {
          agent_id: agentId,
          since: "2026-01-01T00:00:00.000Z",
          peers: [{ agent_id: "peer-1", sent: { reported_by_agent: 2, reported_by_peer: 1 }, received: null }],
        },
      ],
    });
    const malformed = stepOf(analyst, "immediate_actions.2");
    expect(malformed.output_view?.type).toBe("unrecognised");
    expect(malformed.output_view?.type === "unrecognised" && JSON.parse(malformed.output_view.raw)).toEqual({
      snapshots: "lost in a migration",
      links: [1, 2],
    });
    expect(malformed.output).toEqual({ snapshots: "lost in a migration", links: [1, 2] });
    expect(stepOf(analyst, "investigation_steps.1").output_view).toEqual({
      type: "timelines",
      timelines: [
        {
          session_id: "s-1",
          agent_id: agentId,
          event_count: 3,
          anomalies: 1,
          injection_point: { event_id: "e-1", timestamp: null, reason: "injection", rule: "content_finding" },
        },
      ],
    });
    expect(stepOf(analyst, "remediation_steps.1").output_view).toEqual({
      type: "rotation_finished",
      rotation_id: "r-1",
      rotated: [],
      failed: [{ credential_id: "c-1", name: "payments", agent_id: agentId, step: "verify", attempts: 3, error: "refused" }],
    });
    // Manual steps produce nothing.
    expect(stepOf(analyst, "investigation_steps.2").output_view).toBeNull();

    // The API answers the same variants, each valid under the published schema.
    const response = await incidentRoute(new Request(`http://soc.test/api/v1/incidents/${incident.id}`, { headers: await bearer("analyst") }), {
      params: Promise.resolve({ incidentId: String(incident.id) }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as IncidentView;
    const views = body.phases.flatMap((p) => p.steps).flatMap((s) => (s.output_view ? [s.output_view] : []));
    expect(views.map((v) => v.type).sort()).toEqual(["killed", "rotation_finished", "timelines", "traces", "unrecognised"]);
    for (const view of views) expect(stepOutputSchema.safeParse(view).success).toBe(true);

    // A viewer reads no forensic output, typed or raw.
    const viewer = await readIncident(as("viewer"), incident.id);
    expect(stepOf(viewer, "immediate_actions.3")).toMatchObject({ output: null, output_view: null });
    expect(stepOf(viewer, "immediate_actions.1").output_view).toMatchObject({ type: "killed" });
  });
});

describe("whether a step is runnable, decided on the server", () => {
  it("lets a run silent for 10 minutes be run again, not a younger one nor one waiting on the work it started, and says why", async () => {
    const { responder, incident } = await incidentFor();
    const read = async (ctx = responder) => readIncident(ctx, incident.id);

    expect(stepOf(await read(), "immediate_actions.2")).toMatchObject({ runnable: true, blocked_reason: null, retry: false, skippable: true });

    await store(incident.id, "immediate_actions.2", { state: "running", output: null, startedMinutesAgo: 5 });
    const young = stepOf(await read(), "immediate_actions.2");
    expect(young).toMatchObject({ runnable: false, retry: false, finish_by_hand: false, skippable: false });
    expect(young.blocked_reason).toMatch(/running: a run silent for 10 minutes may be run again/);
    await expect(runStep({ ctx: responder, settings: { redis }, input: { incidentId: incident.id, stepId: "immediate_actions.2" } })).rejects.toMatchObject({
      code: "CONFLICT",
    });

    await store(incident.id, "remediation_steps.1", { state: "running", output: { rotation_id: "r-2", link: "/rotations/r-2" }, startedMinutesAgo: 60 });
    const waiting = stepOf(await read(), "remediation_steps.1");
    expect(waiting).toMatchObject({ runnable: false, output_view: { type: "rotation_running", rotation_id: "r-2" } });
    expect(waiting.blocked_reason).toMatch(/ends with the work it started/);

    await store(incident.id, "immediate_actions.1", { state: "running", output: null, startedMinutesAgo: 11 });
    const stale = stepOf(await read(), "immediate_actions.1");
    expect(stale).toMatchObject({ runnable: true, blocked_reason: null, retry: true, finish_by_hand: false, skippable: false });
    // The server's claim agrees with what the page was told.
    const rerun = await runStep({ ctx: responder, settings: { redis }, input: { incidentId: incident.id, stepId: "immediate_actions.1" } });
    expect(stepOf(rerun.incident, "immediate_actions.1")).toMatchObject({ state: "done", runnable: false, blocked_reason: "The step is done" });

    await store(incident.id, "investigation_steps.1", { state: "failed", output: {}, startedMinutesAgo: 2 });
    expect(stepOf(await read(), "investigation_steps.1")).toMatchObject({
      runnable: true,
      retry: true,
      finish_by_hand: true,
      skippable: true,
      output_view: null,
    });

    // Readers below responder, and everyone once the incident is closed, are told why they cannot.
    expect(stepOf(await read(as("analyst")), "investigation_steps.2")).toMatchObject({
      runnable: false,
      blocked_reason: "Working the runbook needs the responder role",
    });
    // Where the status may go next is the server's word too: forward for responders, closing for admins.
    expect((await read()).status_choices).toEqual(["contained", "eradicated", "recovered"]);
    expect((await read(as("admin"))).status_choices).toEqual(["contained", "eradicated", "recovered", "closed"]);
    expect((await read(as("analyst"))).status_choices).toEqual([]);
    await setIncidentStatus({ ctx: as("admin"), input: { incidentId: incident.id, body: { status: "closed" } } });
    expect((await read(as("admin"))).status_choices).toEqual(["open"]);
    expect((await read()).status_choices).toEqual([]);
    expect(stepOf(await read(as("admin")), "investigation_steps.2")).toMatchObject({
      runnable: false,
      skippable: false,
      blocked_reason: "The incident is closed: reopen it to work its runbook",
    });
  });
});
