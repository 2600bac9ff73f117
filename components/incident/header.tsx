"use client";

import Link from "next/link";
import { type ReactNode, useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import type { IncidentView } from "@/lib/incidents/types";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Notice } from "../ui/notice";
import { Time } from "../ui/time";
import { StatusControl } from "./status-control";
import type { Act } from "./use-incident-action";

export function IncidentHeader({
  incident,
  role,
  myActorId,
  act,
  children,
}: {
  incident: IncidentView;
  role: Role;
  myActorId: string;
  act: Act;
  /** Shown under the title, before the facts: containment comes first. */
  children: ReactNode;
}) {
  const responds = roleAtLeast(role, "responder");
  const closed = incident.status === "closed";
  const mine = incident.owner.id === myActorId;
  return (
    <header className="incident-head">
      <p className="incident-back">
        <Link href="/incidents">← All incidents</Link>
      </p>
      <h1>
        <span className="mono incident-ref">{incident.ref}</span> {incident.title}
      </h1>
      <p className="subtitle">
        <Badge tone={`sev-${incident.severity}`}>{incident.severity}</Badge>
        Opened by {incident.opened_by} at <Time iso={incident.opened_at} />
        {incident.closed_at && (
          <>
            {" "}
            · closed at <Time iso={incident.closed_at} />
          </>
        )}{" "}
        · {incident.steps_done} of {incident.steps_total} steps done{" "}
        <span className="live" aria-live="off">
          live
        </span>
      </p>
      {children}
      <dl className="panel incident-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <Badge tone={`incident-${incident.status}`}>{incident.status}</Badge>
            <StatusControl choices={incident.status_choices} act={act} />
          </dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>
            {incident.owner.name}
            {mine && <span className="muted"> (you)</span>}
            {responds && !closed && !mine && <TakeOwnership act={act} />}
          </dd>
        </div>
        <div>
          <dt>Agents</dt>
          <dd>
            <LinkList items={incident.agent_ids} href={(a) => `/agents/${encodeURIComponent(a)}`} />
          </dd>
        </div>
        <div>
          <dt>Sessions</dt>
          <dd>
            <LinkList items={incident.session_ids} href={(s) => `/sessions/${encodeURIComponent(s)}`} />
          </dd>
        </div>
        <div>
          <dt>Alerts</dt>
          <dd>
            <LinkList items={incident.alert_ids.map(String)} href={(a) => `/alerts?alert=${encodeURIComponent(a)}`} label={(a) => `#${a}`} />
          </dd>
        </div>
        <div>
          <dt>Runbook</dt>
          <dd>
            <Link href="/runbooks">{incident.runbook.name}</Link> <span className="muted">version {incident.runbook.version}</span>
          </dd>
        </div>
      </dl>
    </header>
  );
}

function LinkList({ items, href, label }: { items: string[]; href: (item: string) => string; label?: (item: string) => string }) {
  if (items.length === 0) return <span className="muted">none</span>;
  return (
    <span className="mono">
      {items.map((item, n) => (
        <span key={item}>
          {n > 0 && ", "}
          <Link href={href(item)}>{label ? label(item) : item}</Link>
        </span>
      ))}
    </span>
  );
}

function TakeOwnership({ act }: { act: Act }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function take() {
    setBusy(true);
    setProblem(await act("POST", "/owner"));
    setBusy(false);
  }
  return (
    <>
      {" "}
      <Button onClick={() => void take()} busy={busy} busyLabel="Taking…">
        Take ownership
      </Button>
      <Notice kind="error">{problem}</Notice>
    </>
  );
}
