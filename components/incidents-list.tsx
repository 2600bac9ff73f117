"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import { type IncidentFilter, incidentQueries } from "./queries";
import { ProblemBox } from "./shown-once";
import { Badge, Severity } from "./ui/badge";
import { DataTable } from "./ui/data-table";
import { Time } from "./ui/time";

const FILTERS: readonly IncidentFilter[] = ["active", "open", "contained", "eradicated", "recovered", "closed"];

const FILTER_LABELS: Record<IncidentFilter, string> = {
  active: "active (not closed)",
  open: "open",
  contained: "contained",
  eradicated: "eradicated",
  recovered: "recovered",
  closed: "closed",
};

/** Incidents newest first, filtered by status (active by default), kept live. */
export function IncidentsList({ role, initialStatus }: { role: Role; initialStatus: IncidentFilter }) {
  const router = useRouter();
  const [status, setStatus] = useState<IncidentFilter>(initialStatus);
  const query = useQuery({ ...incidentQueries.list(status), refetchInterval: 10_000 });

  function choose(value: string) {
    const next = FILTERS.find((f) => f === value) ?? "active";
    setStatus(next);
    router.replace(next === "active" ? "/incidents" : `/incidents?status=${next}`, { scroll: false });
  }

  const incidents = query.data;
  return (
    <>
      <search className="panel filters" aria-label="Filter incidents">
        <label>
          Status
          <select value={status} onChange={(e) => choose(e.target.value)}>
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {FILTER_LABELS[f]}
              </option>
            ))}
          </select>
        </label>
        <span className="live" aria-live="off">
          live
        </span>
      </search>
      {query.isError && <ProblemBox problem={`Incidents could not be loaded: ${query.error.message}`} />}
      <div className="panel">
        {!incidents ? (
          <p className="empty">{query.isError ? "No incidents to show." : "Loading…"}</p>
        ) : incidents.length === 0 ? (
          <p className="empty">
            {status === "active" ? "No active incident." : `No ${status} incident.`}
            {status === "active" && roleAtLeast(role, "responder") ? " Open one from an alert, a session page or by hand above." : ""}
          </p>
        ) : (
          <DataTable
            label="Incidents"
            rows={incidents}
            rowKey={(i) => i.id}
            empty="No incident."
            columns={[
              {
                header: "Incident",
                primary: true,
                cell: (i) => (
                  <Link href={`/incidents/${i.id}`}>
                    <span className="mono">{i.ref}</span> {i.title}
                  </Link>
                ),
              },
              { header: "Severity", cell: (i) => <Severity level={i.severity} /> },
              { header: "Status", cell: (i) => <Badge tone={`incident-${i.status}`}>{i.status}</Badge> },
              {
                header: "Agents",
                className: "mono",
                cell: (i) =>
                  i.agent_ids.length === 0
                    ? "—"
                    : i.agent_ids.map((a, n) => (
                        <span key={a}>
                          {n > 0 && ", "}
                          <Link href={`/agents/${encodeURIComponent(a)}`}>{a}</Link>
                        </span>
                      )),
              },
              { header: "Owner", cell: (i) => i.owner.name },
              {
                header: "Progress",
                className: "num",
                cell: (i) => (
                  <span title={`${i.steps_done} of ${i.steps_total} steps finished`}>
                    {i.steps_done}/{i.steps_total}
                  </span>
                ),
              },
              { header: "Opened (UTC)", className: "time", cell: (i) => <Time iso={i.opened_at} /> },
            ]}
          />
        )}
      </div>
    </>
  );
}
