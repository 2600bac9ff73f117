import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EventsTable } from "@/components/events-table";
import { AgentKillControl } from "@/components/kill-switch-controls";
import { OpenIncidentButton } from "@/components/open-incident-button";
import { SessionInvestigation } from "@/components/session/session-investigation";
import { SessionSnapshots } from "@/components/session-snapshots";
import { SpanTrees } from "@/components/span-tree";
import { appDb } from "@/db/client";
import { listAlerts } from "@/db/queries/detection";
import { listSessionEvents } from "@/db/queries/events";
import { getSessionSummaries, listSessionSpans } from "@/db/queries/sessions";
import { roleAtLeast } from "@/lib/auth/roles";
import { env } from "@/lib/env";
import { formatCost, formatCount, formatDuration, formatUtc } from "@/lib/format";
import { spanTrees } from "@/lib/otlp/span-tree";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ sessionId: string }>; searchParams: Promise<{ agent?: string }> };

/**
 * Next.js hands generateMetadata the decoded segment but the page the percent-encoded one: decoding
 * here too turned a session id holding "%" into a failed page.
 */
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Session ${(await params).sessionId}` };
}

export default async function SessionPage({ params, searchParams }: Props) {
  const me = await requireUser();
  const sessionId = decodeURIComponent((await params).sessionId);
  // Analysts investigate (the timeline API is theirs); viewers see the session's events.
  const investigates = roleAtLeast(me.role, "analyst");
  const db = appDb();
  const SPAN_LIMIT = 500;
  const [summaries, { events, truncated }, { alerts }, spans] = await Promise.all([
    getSessionSummaries(db, sessionId),
    investigates ? Promise.resolve({ events: [], truncated: false }) : listSessionEvents(db, sessionId),
    listAlerts(db, { session_id: sessionId, limit: 50 }),
    listSessionSpans(db, sessionId, SPAN_LIMIT),
  ]);
  if (summaries.length === 0) notFound();
  const wanted = (await searchParams).agent;
  const agentId = summaries.find((s) => s.agent_id === wanted)?.agent_id ?? summaries[0]?.agent_id ?? "";

  const start = Math.min(...summaries.map((s) => Date.parse(s.started_at)));
  const end = Math.max(...summaries.map((s) => Date.parse(s.last_event_at)));
  const total = (pick: (s: (typeof summaries)[number]) => number) => summaries.reduce((sum, s) => sum + pick(s), 0);

  return (
    <>
      <h1>
        Session{" "}
        <span className="mono" style={{ fontSize: 18 }}>
          {sessionId}
        </span>
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
        <section key={s.agent_id} className="panel form-row" aria-label={`Kill switch of ${s.agent_id}`}>
          <span className="mono">{s.agent_id}</span>
          <AgentKillControl agentId={s.agent_id} role={me.role} />
          {roleAtLeast(me.role, "responder") && (
            <OpenIncidentButton
              agentIds={[s.agent_id]}
              sessionIds={[sessionId]}
              alertIds={alerts.filter((a) => a.agent_id === s.agent_id && a.status !== "resolved").map((a) => a.id)}
            />
          )}
        </section>
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
          <dt>Open alerts</dt>
          <dd>{formatCount(alerts.filter((a) => a.status !== "resolved").length)}</dd>
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
      {spans.length > 0 && <SpanTrees trees={spanTrees(spans)} template={env().SOC_TRACE_URL_TEMPLATE} truncated={spans.length >= SPAN_LIMIT} />}
      {summaries.length > 1 && (
        <p className="notice" role="status">
          {summaries.length} agents wrote events under this session id.{" "}
          {investigates ? (
            <>
              Investigating{" "}
              {summaries.map((s, i) => (
                <span key={s.agent_id}>
                  {i > 0 && " · "}
                  {s.agent_id === agentId ? (
                    <strong>{s.agent_id}</strong>
                  ) : (
                    <Link href={`/sessions/${encodeURIComponent(sessionId)}?agent=${encodeURIComponent(s.agent_id)}`}>{s.agent_id}</Link>
                  )}
                </span>
              ))}
            </>
          ) : (
            "Each row names its agent."
          )}
        </p>
      )}
      {investigates ? (
        <>
          <SessionInvestigation key={agentId} sessionId={sessionId} agentId={agentId} />
          <SessionSnapshots key={`snapshots-${agentId}`} sessionId={sessionId} agentId={agentId} canTake />
        </>
      ) : (
        <>
          {truncated && (
            <p className="error-box" role="status">
              Showing the first {events.length} events of this session; use the Events page or the API to page through the rest.
            </p>
          )}
          <div className="panel">
            <EventsTable events={events} mode="session" sessionStartMs={start} showAgent={summaries.length > 1} />
          </div>
        </>
      )}
    </>
  );
}
