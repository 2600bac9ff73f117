"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/format";
import { type IncidentView, incidentRef } from "@/lib/incidents/types";
import { incidentQueries } from "../queries";
import { Notice } from "../ui/notice";
import { Activity } from "./activity";
import { Containment } from "./containment";
import { EscalationPath } from "./escalation-path";
import { IncidentHeader } from "./header";
import { PostIncidentNotes } from "./notes";
import { Phase } from "./phase";
import { useIncidentAction } from "./use-incident-action";

/** A step waiting on work it started (a credential rotation run) is followed every second until it ends. */
function hasWaitingStep(incident: IncidentView): boolean {
  return incident.phases.some((p) => p.steps.some((s) => s.state === "running" && s.output_view?.type === "rotation_running"));
}

/**
 * One incident as the runbook it follows: header and status, escalation path, the steps by phase with
 * their controls, the activity timeline and the post-incident notes. Polled every 5 s so responders
 * working the same incident see each other's progress. Every text from the incident is plain React text.
 */
export function IncidentRunbook({ incidentId, role, myActorId }: { incidentId: number; role: Role; myActorId: string }) {
  const query = useQuery({
    ...incidentQueries.detail(incidentId),
    refetchInterval: (q) => (q.state.data && hasWaitingStep(q.state.data) ? 1_000 : 5_000),
  });
  const act = useIncidentAction(incidentId);
  const incident = query.data;

  if (!incident) {
    return (
      <>
        <h1 className="mono">{incidentRef(incidentId)}</h1>
        {query.isError ? <Notice kind="error">{`The incident could not be loaded: ${query.error.message}`}</Notice> : <p className="empty">Loading…</p>}
        <p>
          <Link href="/incidents">← All incidents</Link>
        </p>
      </>
    );
  }

  const closed = incident.status === "closed";
  const responds = roleAtLeast(role, "responder");
  return (
    <>
      {query.isError && (
        <Notice>
          This page could not refresh ({query.error.message}). It shows the incident as it was at {formatUtc(new Date(query.dataUpdatedAt).toISOString())}.
        </Notice>
      )}
      <IncidentHeader incident={incident} role={role} myActorId={myActorId} act={act}>
        <Containment incident={incident} role={role} />
      </IncidentHeader>
      <EscalationPath incident={incident} canPage={responds && !closed} act={act} />
      <section className="incident-section" aria-labelledby="steps-title">
        <h2 id="steps-title">Runbook steps</h2>
        {closed && <p className="muted">The incident is closed: its steps are kept as they were.</p>}
        {incident.phases.map((phase) => (
          <Phase key={phase.key} phaseKey={phase.key} title={phase.title} steps={phase.steps} act={act} />
        ))}
      </section>
      <Activity activity={incident.activity} canComment={roleAtLeast(role, "analyst")} act={act} />
      <PostIncidentNotes notes={incident.post_incident_notes} canEdit={responds} act={act} />
    </>
  );
}
