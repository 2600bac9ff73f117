"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/format";
import type { IncidentStatus, IncidentSummary } from "@/lib/incidents/types";
import { callApi } from "./api-client";
import { ProblemBox } from "./shown-once";

export type IncidentFilter = IncidentStatus | "active";

const FILTERS: readonly IncidentFilter[] = ["active", "open", "contained", "eradicated", "recovered", "closed"];

const FILTER_LABELS: Record<IncidentFilter, string> = {
  active: "active (not closed)",
  open: "open",
  contained: "contained",
  eradicated: "eradicated",
  recovered: "recovered",
  closed: "closed",
};

async function fetchIncidents(status: IncidentFilter): Promise<IncidentSummary[]> {
  const result = await callApi<{ incidents: IncidentSummary[] }>("GET", `/api/v1/incidents?${new URLSearchParams({ status })}`);
  if (!result.ok) throw new Error(result.error);
  return result.data.incidents;
}

/** Incidents newest first, filtered by status (active by default), kept live. */
export function IncidentsList({ role, initialStatus }: { role: Role; initialStatus: IncidentFilter }) {
  const router = useRouter();
  const [status, setStatus] = useState<IncidentFilter>(initialStatus);
  const query = useQuery({ queryKey: ["incidents", "list", status], queryFn: () => fetchIncidents(status), refetchInterval: 10_000 });

  function choose(value: string) {
    const next = FILTERS.find((f) => f === value) ?? "active";
    setStatus(next);
    router.replace(next === "active" ? "/incidents" : `/incidents?status=${next}`, { scroll: false });
  }

  const incidents = query.data;
  return (
    <>
      <div className="panel filters" role="search" aria-label="Filter incidents">
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
      </div>
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
          <table aria-label="Incidents">
            <thead>
              <tr>
                <th scope="col">Ref</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Title</th>
                <th scope="col">Agents</th>
                <th scope="col">Owner</th>
                <th scope="col">Progress</th>
                <th scope="col">Opened (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {incidents.map((i) => (
                <tr key={i.id}>
                  <td className="mono">
                    <Link href={`/incidents/${i.id}`}>{i.ref}</Link>
                  </td>
                  <td>
                    <span className={`badge sev-${i.severity}`}>{i.severity}</span>
                  </td>
                  <td>
                    <span className={`badge incident-${i.status}`}>{i.status}</span>
                  </td>
                  <td className="content-cell">
                    <Link href={`/incidents/${i.id}`}>{i.title}</Link>
                  </td>
                  <td className="mono">
                    {i.agent_ids.length === 0
                      ? "—"
                      : i.agent_ids.map((a, n) => (
                          <span key={a}>
                            {n > 0 && ", "}
                            <Link href={`/agents/${encodeURIComponent(a)}`}>{a}</Link>
                          </span>
                        ))}
                  </td>
                  <td>{i.owner.name}</td>
                  <td className="num" title={`${i.steps_done} of ${i.steps_total} steps finished`}>
                    {i.steps_done}/{i.steps_total}
                  </td>
                  <td className="time">{formatUtc(i.opened_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
