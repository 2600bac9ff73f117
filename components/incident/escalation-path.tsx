"use client";

import Link from "next/link";
import { useState } from "react";
import { formatUtc } from "@/lib/format";
import type { EscalationView } from "@/lib/incidents/escalation";
import type { IncidentView } from "@/lib/incidents/types";
import type { PageDeliveryView } from "@/lib/notify/views";
import { ProblemBox } from "../shown-once";
import { Button } from "../ui/button";
import type { Act } from "./use-incident-action";

/** Where an admin maps escalation roles to notification destinations. */
export const ESCALATION_ROLES_ADMIN = "/admin/notifications#escalation-roles";

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
          “Page” sends the page through the notification destinations mapped to the role. A role without one shows “Mark paged”: call it as your on-call tool
          says, then press it so everyone sees who was called and when.
        </p>
      )}
    </section>
  );
}

function EscalationRole({ entry, canPage, act }: { entry: EscalationView; canPage: boolean; act: Act }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const enabled = entry.destinations.filter((d) => d.enabled);
  const sends = enabled.length > 0;
  async function page() {
    setBusy(true);
    setProblem(await act("POST", "/page", { role: entry.role }));
    setBusy(false);
  }
  const button = sends ? (
    <Button variant="primary" onClick={() => void page()} busy={busy} busyLabel="Paging…" aria-label={`Page ${entry.role}`}>
      {entry.paged_at ? "Page again" : "Page"}
    </Button>
  ) : (
    <Button onClick={() => void page()} busy={busy} busyLabel="Recording…" aria-label={`Mark ${entry.role} paged`}>
      Mark paged
    </Button>
  );
  return (
    <li>
      <span className="mono">{entry.role}</span>{" "}
      {entry.paged_at ? (
        <span className="muted">
          {entry.sent ? "paged" : "marked paged"} by {entry.paged_by ?? "someone"} at {formatUtc(entry.paged_at)}
        </span>
      ) : (
        !canPage && <span className="muted">not paged</span>
      )}
      {canPage && (!entry.paged_at || sends) && <> {button}</>}
      {entry.paged_at && entry.deliveries.length > 0 && (
        <ul className="page-deliveries" aria-label={`Page deliveries to ${entry.role}`}>
          {entry.deliveries.map((d) => (
            <li key={d.id}>
              {d.destination_name}: <DeliveryState delivery={d} />
            </li>
          ))}
        </ul>
      )}
      {entry.paged_at && !entry.sent && <div className="muted">Recorded only: the console sent no page.</div>}
      {entry.sent && entry.deliveries.length === 0 && <div className="muted">Sent, through destinations removed since.</div>}
      {!sends && (
        <div className="muted">
          {entry.destinations.length > 0 ? "Every destination mapped to this role is disabled" : "No notification destination is mapped to this role"}
          {canPage && (
            <>
              {" "}
              (<Link href={ESCALATION_ROLES_ADMIN}>an admin maps one on the Notifications page</Link>)
            </>
          )}
          .
        </div>
      )}
      {sends && !entry.paged_at && <div className="muted">Pages go to {enabled.map((d) => d.name).join(", ")}.</div>}
      <ProblemBox problem={problem} />
    </li>
  );
}

function DeliveryState({ delivery: d }: { delivery: PageDeliveryView }) {
  if (d.status === "delivered") return <span>delivered{d.delivered_at ? ` at ${formatUtc(d.delivered_at)}` : ""}</span>;
  if (d.status === "failed") return <span className="delivery-failed">failed{d.last_error ? `: ${d.last_error}` : ""}</span>;
  return (
    <span>
      queued
      {d.attempts > 0 && `, attempt ${d.attempts}${d.last_error ? ` failed (${d.last_error})` : ""}`}
      {d.attempts > 0 && d.next_attempt_at ? `, next try at ${formatUtc(d.next_attempt_at)}` : ""}
    </span>
  );
}
