import { and, asc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { getIncidentRow, incidentRef } from "@/db/queries/incidents";
import { agentExists } from "@/db/queries/ingest-keys";
import { credentials, rotationItems, rotationRuns } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { reportRotationToIncident } from "@/lib/incidents/report-rotation";
import { requireSocSecret } from "@/lib/notify/seal";
import { credentialIdsNamedByIncident } from "./incident-scope";
import { startRotationInput } from "./schemas";
import type { StartedRotation } from "./views";

type CredentialRow = typeof credentials.$inferSelect;

export interface AlreadyRotatedCredential {
  credential_id: string;
  name: string;
  agent_id: string;
  rotation_id: string | undefined;
}

/** Every credential an incident covers was rotated by its runs already: a 409 for the API, "done" for its runbook step. */
export class AlreadyRotatedError extends AppError {
  readonly rotated: AlreadyRotatedCredential[];
  constructor(incidentId: number, rotated: AlreadyRotatedCredential[]) {
    super("CONFLICT", `Every credential ${incidentRef(incidentId)} covers was already rotated under it; start a rotation from the agent page to rotate again`, {
      details: { already_rotated: rotated },
    });
    this.rotated = rotated;
  }
}

/**
 * The credentials a request covers (the ones named; or all of some agents', plus those the
 * incident's blast radius names by id), locked in id order so that two starts wait for each other
 * instead of deadlocking.
 */
async function lockRequested(tx: Tx, body: { agentIds: string[] | null; credentialIds: string[] | null; namedIds: string[] }): Promise<CredentialRow[]> {
  const named = body.namedIds.length === 0 ? undefined : inArray(credentials.id, body.namedIds);
  const where = body.credentialIds
    ? and(inArray(credentials.id, body.credentialIds), isNull(credentials.retiredAt))
    : and(or(inArray(credentials.agentId, body.agentIds ?? []), named), isNull(credentials.retiredAt));
  const rows = await tx.select().from(credentials).where(where).orderBy(asc(credentials.id)).for("update");
  if (body.credentialIds) {
    const missing = body.credentialIds.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length > 0) {
      throw new AppError("NOT_FOUND", `No credential ${missing.join(", ")} in the inventory`, {
        details: { errors: [{ path: "credential_ids", message: `unknown or retired: ${missing.join(", ")}` }] },
      });
    }
  }
  return rows;
}

/**
 * Starts rotating a set of credentials (responder+): all of an agent's, the ones named, or an
 * incident's: all of its agents' and any other credential its blast radius names by id. The run
 * and one item per credential are committed before anything is rotated; the worker then takes them
 * step by step. A credential is in at most one live run, so a second click (or a second responder)
 * gets the run already going rather than a second rotation.
 */
export async function startRotation({
  ctx,
  input,
  incidentStepId = null,
}: {
  ctx: Ctx;
  input: unknown;
  /** The incident's runbook step that asks (it must be running): it names the run in its output, and the run completes it. */
  incidentStepId?: string | null;
}): Promise<StartedRotation> {
  authorize(ctx, "responder", "rotate credentials");
  const body = parseOrThrow(startRotationInput, input ?? {});
  // New secrets are sealed with it between steps: without it a run would revoke the old secrets and then stop.
  requireSocSecret("rotate credentials");
  const incident = body.incident_id === undefined ? null : await getIncidentRow(ctx.db, body.incident_id);
  if (body.incident_id !== undefined) {
    if (!incident)
      throw new AppError("NOT_FOUND", `No incident ${incidentRef(body.incident_id)}`, {
        details: { errors: [{ path: "incident_id", message: "unknown incident" }] },
      });
    if (incident.status === "closed") throw new AppError("CONFLICT", `${incidentRef(incident.id)} is closed; reopen it to rotate under it`);
  }
  if (body.agent_id !== undefined) {
    if (!(await agentExists(ctx.db, body.agent_id))) {
      throw new AppError("NOT_FOUND", `No agent ${body.agent_id} is registered`, { details: { errors: [{ path: "agent_id", message: "unknown agent" }] } });
    }
    if (incident && !incident.agentIds.includes(body.agent_id)) {
      throw new AppError("VALIDATION", `${incidentRef(incident.id)} does not cover agent ${body.agent_id}`, {
        details: { errors: [{ path: "agent_id", message: "not one of the incident's agents" }] },
      });
    }
  }
  const agentIds = body.agent_id !== undefined ? [body.agent_id] : body.credential_ids ? null : (incident?.agentIds ?? []);
  const wholeIncident = incident !== null && body.agent_id === undefined && body.credential_ids === undefined;
  const namedIds = wholeIncident ? await credentialIdsNamedByIncident(ctx, incident) : [];
  const who = actorId(ctx.actor);

  return ctx.db.transaction(async (tx) => {
    const locked = await lockRequested(tx, { agentIds, credentialIds: body.credential_ids ?? null, namedIds });
    // Running the incident's step again (after a failure) retries what is left, not what it already rotated.
    const done = wholeIncident ? await rotatedUnderIncident(tx, incident.id) : new Map<string, string>();
    const rows = locked.filter((r) => !done.has(r.id));
    if (locked.length > 0 && rows.length === 0) {
      throw new AlreadyRotatedError(
        incident?.id ?? 0,
        locked.map((r) => ({ credential_id: r.id, name: r.name, agent_id: r.agentId, rotation_id: done.get(r.id) })),
      );
    }
    if (rows.length === 0) {
      throw new AppError("VALIDATION", `Agent ${(agentIds ?? []).join(", ")} has no credentials in the inventory to rotate`, {
        details: { errors: [{ path: body.agent_id ? "agent_id" : "incident_id", message: "no credentials" }] },
      });
    }
    if (incident && body.credential_ids && rows.some((r) => !incident.agentIds.includes(r.agentId))) {
      const outside = rows.filter((r) => !incident.agentIds.includes(r.agentId)).map((r) => r.name);
      throw new AppError("VALIDATION", `${incidentRef(incident.id)} does not cover the agents of ${outside.join(", ")}`, {
        details: { errors: [{ path: "credential_ids", message: "credentials of agents outside the incident" }] },
      });
    }

    const live = await tx
      .select({ credentialId: rotationItems.credentialId, runId: rotationItems.runId })
      .from(rotationItems)
      .where(
        and(
          inArray(
            rotationItems.credentialId,
            rows.map((r) => r.id),
          ),
          inArray(rotationItems.state, ["pending", "retrying"]),
        ),
      );
    if (live.length > 0) {
      const runIds = [...new Set(live.map((l) => l.runId))];
      const [onlyRun] = runIds;
      if (runIds.length === 1 && onlyRun && live.length === rows.length) {
        if (incident) await adoptRun(tx, ctx, incident.id, onlyRun, incidentStepId);
        return { id: onlyRun, existing: true };
      }
      const busy = live.map((l) => ({
        credential_id: l.credentialId,
        name: rows.find((r) => r.id === l.credentialId)?.name ?? l.credentialId,
        rotation_id: l.runId,
      }));
      throw new AppError(
        "CONFLICT",
        `Already being rotated: ${busy.map((b) => `"${b.name}" (run ${b.rotation_id})`).join(", ")}; wait for that run or leave those credentials out`,
        {
          details: { busy },
        },
      );
    }

    if (!incident) {
      const recent = await justRotated(
        tx,
        rows.map((r) => r.id),
      );
      if (recent) return { id: recent, existing: true };
    }

    const runAgents = [...new Set(rows.map((r) => r.agentId))].sort();
    const [run] = await tx
      .insert(rotationRuns)
      .values({ agentIds: runAgents, incidentId: incident?.id ?? null, requestedBy: who })
      .returning({ id: rotationRuns.id });
    if (!run) throw new Error("rotation run insert returned no row");
    const ordered = [...rows].sort((a, b) => a.agentId.localeCompare(b.agentId) || a.name.localeCompare(b.name));
    await tx.insert(rotationItems).values(
      // The old secret is kept with the item: a provider may change the credential's own copy mid-run (HMAC).
      ordered.map((r, position) => ({ runId: run.id, credentialId: r.id, position, oldSecretSealed: r.secretSealed })),
    );

    const what = { rotation_id: run.id, agent_ids: runAgents, credentials: ordered.map((r) => ({ id: r.id, name: r.name, kind: r.kind })) };
    await recordAudit(tx, ctx, { action: "rotation.start", targetType: "rotation", targetId: run.id, after: { ...what, incident_id: incident?.id ?? null } });
    if (incident) {
      await reportRotationToIncident(tx, ctx, incident.id, {
        runId: run.id,
        activity: {
          kind: "rotation_started",
          summary: `Rotation of ${ordered.length} credential${ordered.length === 1 ? "" : "s"} started (${ordered.map((r) => r.name).join(", ")})`,
          detail: what,
        },
        askedByStep: incidentStepId ?? undefined,
      });
    }
    return { id: run.id, existing: false };
  });
}

/**
 * A run already going for the same credentials becomes the incident's (audited, and on its
 * timeline); a run that works for another incident is not taken over. The step that asked, if any,
 * names the run either way.
 */
async function adoptRun(tx: Tx, ctx: Ctx, incidentId: number, runId: string, askedByStep: string | null): Promise<void> {
  const [run] = await tx.select({ incidentId: rotationRuns.incidentId }).from(rotationRuns).where(eq(rotationRuns.id, runId)).for("update");
  if (run?.incidentId != null && run.incidentId !== incidentId) {
    throw new AppError("CONFLICT", `These credentials are being rotated under ${incidentRef(run.incidentId)} (run ${runId}); wait for it to end`, {
      details: { rotation_id: runId },
    });
  }
  const adopting = run?.incidentId !== incidentId;
  if (adopting) {
    await tx.update(rotationRuns).set({ incidentId }).where(eq(rotationRuns.id, runId));
    await recordAudit(tx, ctx, { action: "rotation.adopt", targetType: "rotation", targetId: runId, after: { incident_id: incidentId } });
  }
  await reportRotationToIncident(tx, ctx, incidentId, {
    runId,
    activity: adopting
      ? {
          kind: "rotation_adopted",
          summary: `The rotation already going for these credentials (run ${runId}) now reports to this incident`,
          detail: { rotation_id: runId },
        }
      : undefined,
    askedByStep: askedByStep ?? undefined,
  });
}

/** A second start moments after the first ended is the same click, not a new compromise. */
const SAME_CLICK_WINDOW_S = 30;

/**
 * The run that rotated exactly these credentials and succeeded within the last few seconds: built-in
 * credentials rotate in well under a second, so "two clicks, one run" must outlive the run itself.
 * A second rotation would also kill the secret the first one made before anyone deployed it.
 */
async function justRotated(tx: Tx, credentialIds: string[]): Promise<string | null> {
  const result = await tx.execute<{ id: string }>(sql`
    SELECT r.id FROM ${rotationRuns} r
    WHERE r.status = 'succeeded' AND r.created_at > now() - interval '1 hour'
      AND r.finished_at > now() - make_interval(secs => ${SAME_CLICK_WINDOW_S})
      AND (SELECT array_agg(i.credential_id ORDER BY i.credential_id) FROM ${rotationItems} i WHERE i.run_id = r.id) = ${sql.param(credentialIds)}::uuid[]
    ORDER BY r.finished_at DESC LIMIT 1`);
  return result.rows[0]?.id ?? null;
}

/** Each credential already rotated by one of the incident's runs, with that run. */
async function rotatedUnderIncident(tx: Tx, incidentId: number): Promise<Map<string, string>> {
  const rows = await tx
    .select({ credentialId: rotationItems.credentialId, runId: rotationItems.runId })
    .from(rotationItems)
    .innerJoin(rotationRuns, eq(rotationRuns.id, rotationItems.runId))
    .where(and(eq(rotationRuns.incidentId, incidentId), eq(rotationItems.state, "rotated")));
  return new Map(rows.map((r) => [r.credentialId, r.runId]));
}
