import { getIncident, incidentRef } from "@/db/queries/incidents";
import { authorize, holdsRole } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import type { AutomatedActionName } from "@/lib/runbooks";
import { incidentView } from "./incident-view";
import type { ActivityView, IncidentView } from "./types";

/**
 * Steps whose results come from analyst-only forensics: snapshots and their downloads, the agents
 * it talked to, the session's timeline and injection point, and credential rotation. A kill is not
 * among them: who is killed, and why, every reader sees on the kill switch page.
 */
const FORENSIC_ACTIONS: ReadonlySet<AutomatedActionName> = new Set(["snapshot", "trace_communications", "build_timeline", "rotate_credentials"]);

export const FORENSICS_WITHHELD = "The results of this step are forensics: they are shown to analysts and above";

// What a reader below analyst reads for a rotation's lines, which name credentials and their failures.
const ROTATION_LINES: Record<string, string> = {
  rotation_started: "Credential rotation started",
  rotation_adopted: "A credential rotation already going now reports to this incident",
  rotation_succeeded: "Credential rotation finished: every credential rotated",
  rotation_failed: "Credential rotation finished with failures",
  rotation_failure_resolved: "A failed credential rotation was resolved",
};
const ACTIVITY_WITHHELD = "(details are shown to analysts and above)";

/**
 * The incident as a reader below analyst may see it: each step's state, who ran it and when, but
 * not what the forensic steps found, on the steps or on the activity timeline.
 */
export function withholdForensics(incident: IncidentView): IncidentView {
  const steps = new Map(incident.phases.flatMap((p) => p.steps.map((s) => [s.step_id, s] as const)));
  const forensic = (stepId: unknown) => {
    const action = typeof stepId === "string" ? steps.get(stepId)?.action : null;
    return action ? FORENSIC_ACTIONS.has(action) : false;
  };
  const activity = incident.activity.map((a): ActivityView => {
    const rotationLine = ROTATION_LINES[a.kind] ?? (a.kind.startsWith("rotation_") ? "Credential rotation" : null);
    if (rotationLine) return { ...a, summary: `${rotationLine} ${ACTIVITY_WITHHELD}`, detail: null };
    if (!a.detail || !forensic(a.detail.step_id)) return a;
    const rest = Object.fromEntries(Object.entries(a.detail).filter(([key]) => key !== "output" && key !== "error"));
    const title = steps.get(String(a.detail.step_id))?.title ?? "";
    return a.kind === "step_failed" ? { ...a, summary: `"${title}" failed ${ACTIVITY_WITHHELD}`, detail: rest } : { ...a, detail: rest };
  });
  return {
    ...incident,
    phases: incident.phases.map((p) => ({
      ...p,
      steps: p.steps.map((s) =>
        s.action && FORENSIC_ACTIONS.has(s.action) && (s.output !== null || s.error !== null)
          ? { ...s, output: null, output_view: null, error: null, output_withheld: FORENSICS_WITHHELD }
          : s,
      ),
    })),
    activity,
    // A failed delivery's reason can name the destination's host, which only admins see on the notifications page.
    escalation: incident.escalation.map((e) => ({ ...e, deliveries: e.deliveries.map((d) => ({ ...d, last_error: null })) })),
  };
}

/** The incident as the caller may see it (viewer+): the forensic results only for analysts and above. */
export async function readIncident(ctx: Ctx, id: number): Promise<IncidentView> {
  authorize(ctx, "viewer", "read incidents");
  const stored = await getIncident(ctx.db, id);
  if (!stored) throw new AppError("NOT_FOUND", `No incident ${incidentRef(id)}`);
  const incident = incidentView(stored, { mayWork: holdsRole(ctx, "responder"), isAdmin: holdsRole(ctx, "admin") });
  return holdsRole(ctx, "analyst") ? incident : withholdForensics(incident);
}
