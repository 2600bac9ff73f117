import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { appDb } from "@/db/client";
import { listAlerts } from "@/db/queries/detection";
import { listSessionEvents } from "@/db/queries/events";
import { getSessionSummaries } from "@/db/queries/sessions";
import { EventsTable } from "@/components/events-table";
import { AgentKillControl } from "@/components/kill-switch-controls";
import { formatCost, formatCount, formatDuration, formatUtc } from "@/lib/format";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ sessionId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Session ${decodeURIComponent((await params).sessionId)}` };
}

export default async function SessionPage({ params }: Props) {
  const me = await requireUser();
  const sessionId = decodeURIComponent((await params).sessionId);
  const db = appDb();
  const [summaries, { events, truncated }, { alerts }] = await Promise.all([
    getSessionSummaries(db, sessionId),
    listSessionEvents(db, sessionId),
    listAlerts(db, { session_id: sessionId, limit: 50 }),
  ]);
  if (summaries.length === 0) notFound();

  const start = Math.min(...summaries.map((s) => Date.parse(s.started_at)));
  const end = Math.max(...summaries.map((s) => Date.parse(s.last_event_at)));
  const total = (pick: (s: (typeof summaries)[number]) => number) => summaries.reduce((sum, s) => sum + pick(s), 0);
  const flagged = events.filter((e) => e.security_flags.length > 0 || e.redactions).length;

  return (
    <>
      <h1>
        Session <span className="mono" style={{ fontSize: 18 }}>{sessionId}</span>
      </h1>
      <p className="subtitle">
        {summaries.map((s, i) => (
          <span key={s.agent_id}>
            {i > 0 && ", "}
            <Link href={`/events?agent_id=${encodeURIComponent(s.agent_id)}`}>{s.agent_id}</Link>
          </span>
        ))}{" "}
        · {formatUtc(new Date(start).toISOString())} → {formatUtc(new Date(end).toISOString())}
      </p>
      {summaries.map((s) => (
        <div key={s.agent_id} className="panel form-row" aria-label={`Kill switch of ${s.agent_id}`} role="region">
          <span className="mono">{s.agent_id}</span>
          <AgentKillControl agentId={s.agent_id} role={me.role} />
        </div>
      ))}
      <dl className="stats">
        <div className="panel stat">
          <dt>Events</dt>
          <dd>{formatCount(total((s) => s.event_count))}</dd>
        </div>
        <div className="panel stat">
          <dt>Duration</dt>
          <dd>{formatDuration(end - start)}</dd>
        </div>
        <div className="panel stat">
          <dt>Cost</dt>
          <dd>{formatCost(total((s) => s.cost_usd))}</dd>
        </div>
        <div className="panel stat">
          <dt>Tokens</dt>
          <dd>{formatCount(total((s) => s.tokens))}</dd>
        </div>
        <div className="panel stat">
          <dt>Errors</dt>
          <dd>{formatCount(total((s) => s.error_count))}</dd>
        </div>
        <div className="panel stat">
          <dt>Flagged or redacted</dt>
          <dd>{formatCount(flagged)}</dd>
        </div>
      </dl>
      {alerts.length > 0 && (
        <section className="panel stack" aria-label="Alerts in this session">
          <table aria-label="Alerts in this session">
            <tbody>
              {alerts.map((a) => (
                <tr key={a.id}>
                  <td>
                    <span className={`badge sev-${a.severity}`}>{a.severity}</span>
                  </td>
                  <td className="mono">{a.type}</td>
                  <td className="content-cell">
                    <p className="log-text">{a.detail}</p>
                  </td>
                  <td className="num">×{formatCount(a.count)}</td>
                  <td>
                    {a.first_event_id && <a href={`#event-${a.first_event_id}`}>first event</a>} ·{" "}
                    <Link href={`/alerts?status=&session_id=${encodeURIComponent(sessionId)}&alert=${a.id}`}>{a.status}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {truncated && (
        <p className="error-box" role="status">
          Showing the first {events.length} events of this session; use the Events page or the API to page through the rest.
        </p>
      )}
      {summaries.length > 1 && (
        <p className="error-box" role="status">
          {summaries.length} agents wrote events under this session id; each row names its agent.
        </p>
      )}
      <div className="panel">
        <EventsTable events={events} mode="session" sessionStartMs={start} showAgent={summaries.length > 1} />
      </div>
    </>
  );
}
