"use client";

import { useState } from "react";
import { formatUtc } from "@/lib/format";
import type { IncidentView } from "@/lib/incidents/types";
import { ProblemBox } from "../shown-once";
import { Button } from "../ui/button";
import type { Act } from "./use-incident-action";

export function EscalationPath({ incident, canPage, act }: { incident: IncidentView; canPage: boolean; act: Act }) {
  return (
    <section className="panel incident-section padded" aria-labelledby="escalation-title">
      <h2 id="escalation-title">Escalation path</h2>
      {incident.escalation.length === 0 ? (
        <p className="muted">The runbook names no one to escalate to.</p>
      ) : (
        <ol className="escalation" aria-label="Escalation path">
          {incident.escalation.map((e) => (
            <EscalationRole key={e.role} entry={e} canPage={canPage} act={act} />
          ))}
        </ol>
      )}
      {canPage && (
        <p className="muted">
          The console does not send pages: call the role as your on-call tool says, then press “Mark paged” so everyone sees who was called and when.
        </p>
      )}
    </section>
  );
}

function EscalationRole({ entry, canPage, act }: { entry: IncidentView["escalation"][number]; canPage: boolean; act: Act }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function page() {
    setBusy(true);
    setProblem(await act("POST", "/page", { role: entry.role }));
    setBusy(false);
  }
  return (
    <li>
      <span className="mono">{entry.role}</span>{" "}
      {entry.paged_at ? (
        <span className="muted">
          paged by {entry.paged_by ?? "someone"} at {formatUtc(entry.paged_at)}
        </span>
      ) : canPage ? (
        <Button onClick={() => void page()} busy={busy} busyLabel="Recording…" aria-label={`Mark ${entry.role} paged`}>
          Mark paged
        </Button>
      ) : (
        <span className="muted">not paged</span>
      )}
      <ProblemBox problem={problem} />
    </li>
  );
}
