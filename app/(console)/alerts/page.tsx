import type { Metadata } from "next";
import Link from "next/link";
import { appDb } from "@/db/client";
import { listAlerts, parseAlertFilters } from "@/db/queries/detection";
import { AlertActions } from "@/components/alert-actions";
import { OpenIncidentButton } from "@/components/open-incident-button";
import { AutoRefresh } from "@/components/auto-refresh";
import { roleAtLeast } from "@/lib/auth/roles";
import { alertSessionLink } from "@/lib/detect/links";
import { ALERT_TYPES, SEVERITIES } from "@/lib/detect/types";
import { searchProblem } from "@/lib/http/respond";
import { formatCount, formatUtc } from "@/lib/format";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Alerts" };

const FILTERS = ["agent_id", "session_id", "type", "severity", "status", "before_id"] as const;

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await requireUser();
  const params = await searchParams;
  const raw: Record<string, string> = {};
  for (const key of FILTERS) {
    const value = params[key];
    if (typeof value === "string" && value) raw[key] = value;
  }
  if (!("status" in raw) && params.status === undefined) raw.status = "unresolved";
  const highlighted = typeof params.alert === "string" ? Number(params.alert) : null;
  let page: Awaited<ReturnType<typeof listAlerts>> | null = null;
  let problem: string | null = null;
  try {
    page = await listAlerts(appDb(), parseAlertFilters(raw));
  } catch (err) {
    problem = searchProblem(err);
    if (problem === null) throw err;
  }
  const older = page?.next_before_id ? new URLSearchParams({ ...raw, before_id: String(page.next_before_id) }) : null;
  const canAct = roleAtLeast(me.role, "analyst");
  const canRespond = roleAtLeast(me.role, "responder");

  return (
    <>
      <h1>Alerts</h1>
      <p className="subtitle">
        What the detectors found, newest first. Repeats of one finding in one session add to its count. <AutoRefresh seconds={5} />
      </p>
      <form className="panel filters" method="get" action="/alerts" role="search" aria-label="Filter alerts">
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
        <button type="submit" className="primary">
          Apply filters
        </button>
        <a href="/alerts?status=">Clear</a>
      </form>
      {problem && (
        <div className="error-box" role="alert">
          {problem}
        </div>
      )}
      <div className="panel">
        {page && page.alerts.length > 0 ? (
          <table aria-label="Alerts">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Last seen (UTC)</th>
                <th scope="col">Severity</th>
                <th scope="col">Type</th>
                <th scope="col">Agent / session</th>
                <th scope="col">Detail</th>
                <th scope="col">Count</th>
                <th scope="col">Status</th>
                {canAct && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {page.alerts.map((a) => {
                const link = alertSessionLink(a);
                return (
                  <tr key={a.id} id={`alert-${a.id}`} className={a.id === highlighted ? "highlight" : undefined}>
                    <td className="num mono">{a.id}</td>
                    <td className="time">{formatUtc(a.last_seen_at)}</td>
                    <td>
                      <span className={`badge sev-${a.severity}`}>{a.severity}</span>
                    </td>
                    <td className="mono">
                      {a.type}
                      {a.baseline_source && <div className="log-label">{a.baseline_source} baseline</div>}
                    </td>
                    <td>
                      <Link href={`/agents/${encodeURIComponent(a.agent_id)}`}>{a.agent_id}</Link>
                      <br />
                      {link ? (
                        <Link className="mono" href={link}>
                          {a.session_id}
                        </Link>
                      ) : (
                        <span className="log-label">whole agent</span>
                      )}
                    </td>
                    <td className="content-cell">
                      <p className="log-text">{a.detail}</p>
                      {a.resolution_note && <p className="log-text">Resolved by {a.resolved_by}: {a.resolution_note}</p>}
                      {a.status === "acknowledged" && <p className="log-label">Acknowledged by {a.acknowledged_by}</p>}
                    </td>
                    <td className="num">{formatCount(a.count)}</td>
                    <td>
                      <span className={`badge status-${a.status}`}>{a.status}</span>
                    </td>
                    {canAct && (
                      <td>
                        <AlertActions alertId={a.id} status={a.status} />
                        {canRespond && a.status !== "resolved" && (
                          <OpenIncidentButton agentIds={[a.agent_id]} sessionIds={a.session_id ? [a.session_id] : []} alertIds={[a.id]} />
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p className="empty">No alerts match.</p>
        )}
      </div>
      {older && (
        <div className="toolbar">
          <a href={`/alerts?${older}`}>Older alerts →</a>
        </div>
      )}
    </>
  );
}
