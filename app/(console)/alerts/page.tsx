import type { Metadata } from "next";
import Link from "next/link";
import { AlertActions } from "@/components/alert-actions";
import { AutoRefresh } from "@/components/auto-refresh";
import { OpenIncidentButton } from "@/components/open-incident-button";
import { Badge, Severity } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { Time } from "@/components/ui/time";
import { TimeRange } from "@/components/ui/time-range";
import { appDb } from "@/db/client";
import { type AlertView, listAlerts, parseAlertFilters } from "@/db/queries/detection";
import { roleAtLeast } from "@/lib/auth/roles";
import { groupAlertsBySession } from "@/lib/detect/group-alerts";
import { alertSessionLink } from "@/lib/detect/links";
import { ALERT_TYPES, SEVERITIES } from "@/lib/detect/types";
import { formatCount } from "@/lib/format";
import { searchProblem } from "@/lib/http/respond";
import { incidentRef } from "@/lib/incidents/types";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Alerts" };

const FILTERS = ["agent_id", "session_id", "type", "severity", "status", "range", "since", "until", "before_id", "sort", "offset"] as const;

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await requireUser();
  const params = await searchParams;
  const raw: Record<string, string> = {};
  for (const key of FILTERS) {
    const value = params[key];
    if (typeof value === "string" && value) raw[key] = value;
  }
  if (!("status" in raw) && params.status === undefined) raw.status = "unresolved";
  // Worst first, then by when it happened: what an analyst works through first.
  if (!raw.sort) raw.sort = "severity";
  const highlighted = typeof params.alert === "string" ? Number(params.alert) : null;
  let page: Awaited<ReturnType<typeof listAlerts>> | null = null;
  let problem: string | null = null;
  try {
    page = await listAlerts(appDb(), parseAlertFilters(raw));
  } catch (err) {
    problem = searchProblem(err);
    if (problem === null) throw err;
  }
  const older = page?.next_before_id
    ? new URLSearchParams({ ...raw, before_id: String(page.next_before_id) })
    : page?.next_offset
      ? new URLSearchParams({ ...raw, offset: String(page.next_offset) })
      : null;
  const groups = groupAlertsBySession(page?.alerts ?? []);
  const canAct = roleAtLeast(me.role, "analyst");
  const canRespond = roleAtLeast(me.role, "responder");

  return (
    <>
      <h1>Alerts</h1>
      <p className="subtitle">
        What the detectors found, grouped by session; times are when the events happened (UTC). Repeats of one finding in one session add to its count.{" "}
        <AutoRefresh seconds={5} />
      </p>
      <search>
        <form className="panel filters" method="get" action="/alerts" aria-label="Filter alerts">
          <label>
            Status
            <select name="status" defaultValue={raw.status ?? ""}>
              <option value="unresolved">open or acknowledged</option>
              <option value="open">open</option>
              <option value="acknowledged">acknowledged</option>
              <option value="resolved">resolved</option>
              <option value="">any</option>
            </select>
          </label>
          <label>
            Severity
            <select name="severity" defaultValue={raw.severity ?? ""}>
              <option value="">any</option>
              {[...SEVERITIES].reverse().map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Type
            <select name="type" defaultValue={raw.type ?? ""}>
              <option value="">any</option>
              {ALERT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label>
            Agent
            <input name="agent_id" defaultValue={raw.agent_id} placeholder="support-agent-v1" />
          </label>
          <label>
            Session
            <input name="session_id" defaultValue={raw.session_id} />
          </label>
          <TimeRange value={raw} allowCustom allLabel="All time" />
          <label>
            Sort
            <select name="sort" defaultValue={raw.sort}>
              <option value="severity">severity, then time</option>
              <option value="newest">newest first</option>
            </select>
          </label>
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <a href="/alerts?status=">Clear</a>
        </form>
      </search>
      {problem && <Notice kind="error">{problem}</Notice>}
      <div className="panel">
        {groups.length > 0 ? (
          <table aria-label="Alerts" className="data-table">
            <thead>
              <tr>
                <th scope="col">Events (UTC)</th>
                <th scope="col">Severity</th>
                <th scope="col">Type</th>
                <th scope="col">Detail</th>
                <th scope="col">Count</th>
                <th scope="col">Status</th>
                <th scope="col">Incident</th>
                {canAct && <th scope="col">Actions</th>}
              </tr>
            </thead>
            {groups.map((g) => {
              const sessionLink = g.alerts[0] ? alertSessionLink(g.alerts[0]) : null;
              return (
                <tbody key={g.key} aria-label={g.session_id ? `Session ${g.session_id}` : `Agent ${g.agent_id}`}>
                  <tr className="group-head">
                    <th scope="rowgroup" colSpan={canAct ? 8 : 7}>
                      <div className="group-title">
                        <Severity level={g.worst} />
                        <Link href={`/agents/${encodeURIComponent(g.agent_id)}`}>{g.agent_id}</Link>
                        {g.session_id ? (
                          <>
                            <span className="muted">session</span>
                            {sessionLink ? (
                              <Link className="mono" href={sessionLink}>
                                {g.session_id}
                              </Link>
                            ) : (
                              <span className="mono">{g.session_id}</span>
                            )}
                          </>
                        ) : (
                          <span className="log-label">whole agent</span>
                        )}
                        <span className="muted">
                          {g.alerts.length} alert{g.alerts.length === 1 ? "" : "s"} · <Time iso={g.first_at} /> → <Time iso={g.last_at} />
                        </span>
                        {g.incident_ids.map((id) => (
                          <Link key={id} href={`/incidents/${id}`} className="badge incident-link">
                            {incidentRef(id)}
                          </Link>
                        ))}
                      </div>
                    </th>
                  </tr>
                  {g.alerts.map((a) => (
                    <tr key={a.id} id={`alert-${a.id}`} className={a.id === highlighted ? "highlight" : undefined}>
                      <td data-label="Events (UTC)">
                        <EventTimes alert={a} />
                      </td>
                      <td data-label="Severity">
                        <Severity level={a.severity} />
                      </td>
                      <td data-label="Type" className="mono">
                        {a.type}
                        {a.baseline_source && <div className="log-label">{a.baseline_source} baseline</div>}
                      </td>
                      <td data-label="Detail" className="content-cell">
                        <p className="log-text">{a.detail}</p>
                        {a.resolution_note && (
                          <p className="log-text">
                            Resolved by {a.resolved_by}: {a.resolution_note}
                          </p>
                        )}
                        {a.status === "acknowledged" && <p className="log-label">Acknowledged by {a.acknowledged_by}</p>}
                        <p className="log-label">
                          #{a.id} · detected <Time iso={a.created_at} />
                        </p>
                      </td>
                      <td data-label="Count" className="num">
                        {formatCount(a.count)}
                      </td>
                      <td data-label="Status">
                        <Badge tone={`status-${a.status}`}>{a.status}</Badge>
                      </td>
                      <td data-label="Incident">
                        {a.incident_id !== null ? (
                          <Link href={`/incidents/${a.incident_id}`}>{incidentRef(a.incident_id)}</Link>
                        ) : (
                          <span className="muted">none</span>
                        )}
                      </td>
                      {canAct && (
                        <td data-label="Actions">
                          <AlertActions alertId={a.id} status={a.status} />
                          {canRespond && a.status !== "resolved" && a.incident_id === null && (
                            <OpenIncidentButton
                              agentIds={[a.agent_id]}
                              sessionIds={a.session_id ? [a.session_id] : []}
                              alertIds={[a.id]}
                              coveringIncidentId={a.covering_incident_id}
                            />
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              );
            })}
          </table>
        ) : (
          <p className="empty">No alerts match.</p>
        )}
      </div>
      {older && (
        <div className="toolbar">
          <a href={`/alerts?${older}`}>More alerts →</a>
        </div>
      )}
    </>
  );
}

/** When the alert's events happened: the first, and the last when repeats came later. */
function EventTimes({ alert }: { alert: AlertView }) {
  if (!alert.first_event_at && !alert.last_event_at) {
    return (
      <span className="event-time">
        <span className="log-label">no event; detected</span>
        <Time iso={alert.created_at} />
      </span>
    );
  }
  const first = alert.first_event_at ?? alert.last_event_at;
  const last = alert.last_event_at;
  return (
    <span className="event-time">
      <Time iso={first} />
      {last && last !== first && (
        <>
          <span className="log-label">to</span>
          <Time iso={last} />
        </>
      )}
    </span>
  );
}
