"use client";

import { useRouter } from "next/navigation";
import type { IncidentView } from "@/lib/incidents/types";
import { incidentRef } from "@/lib/incidents/types";
import { Button } from "./ui/button";
import { ConfirmButton } from "./ui/dialog";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

/**
 * Opens an incident for these agents, sessions and alerts (with the shipped agent-compromise runbook) and
 * goes to its page. When an open incident already covers the session or agent (`coveringIncidentId`), the
 * first offer is to add the alerts (and the rest of their sessions') to it; a separate incident asks first.
 */
export function OpenIncidentButton({
  agentIds,
  sessionIds,
  alertIds,
  title,
  severity,
  coveringIncidentId = null,
}: {
  agentIds: string[];
  sessionIds: string[];
  alertIds: number[];
  title?: string;
  severity?: string;
  coveringIncidentId?: number | null;
}) {
  const router = useRouter();
  const open = useAction<Record<string, unknown>, IncidentView>({
    method: "POST",
    url: "/api/v1/incidents",
    invalidate: [["incidents"]],
    onDone: (incident) => router.push(`/incidents/${incident.id}`),
  });
  const attach = useAction<{ alert_ids: number[] }, { incident: IncidentView }>({
    method: "POST",
    url: `/api/v1/incidents/${coveringIncidentId}/alerts`,
    invalidate: [["incidents"]],
    onDone: ({ incident }) => router.push(`/incidents/${incident.id}`),
  });
  const body = {
    agent_ids: agentIds,
    session_ids: sessionIds,
    alert_ids: alertIds,
    ...(title ? { title } : {}),
    ...(severity ? { severity } : {}),
  };

  if (coveringIncidentId !== null && alertIds.length > 0) {
    const ref = incidentRef(coveringIncidentId);
    return (
      <div className="open-incident">
        <Button variant="primary" busy={attach.busy} busyLabel="Adding…" onClick={() => void attach.run({ alert_ids: alertIds })}>
          Add to {ref}
        </Button>
        <ConfirmButton
          title="Open a separate incident?"
          message={`${ref} is open and already covers this ${sessionIds.length > 0 ? "session" : "agent"}. A second incident splits the work and the evidence.`}
          confirmLabel="Open a separate incident"
          onConfirm={(_) => open.run(body)}
        >
          New incident…
        </ConfirmButton>
        <Notice kind="error">{attach.error}</Notice>
      </div>
    );
  }
  return (
    <div className="open-incident">
      <Button busy={open.busy} busyLabel="Opening…" onClick={() => void open.run(body)}>
        Open incident
      </Button>
      <Notice kind="error">{open.error}</Notice>
    </div>
  );
}
