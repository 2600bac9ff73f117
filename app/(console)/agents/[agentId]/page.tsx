import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BaselineEditor } from "@/components/baseline-editor";
import { CanariesPanel } from "@/components/canaries-panel";
import { KillPreview } from "@/components/containment/kill-preview";
import { ToolTokensList } from "@/components/containment/tool-tokens-list";
import { CredentialsPanel } from "@/components/credentials/credentials-panel";
import { KillPoliciesEditor } from "@/components/kill-policies-editor";
import { AgentKillControl } from "@/components/kill-switch-controls";
import { PolicyEditor } from "@/components/policy-editor";
import { appDb } from "@/db/client";
import { getAgent } from "@/db/queries/agents";
import { listCredentials } from "@/db/queries/credentials";
import { getBaseline, listAlerts, listCanaries } from "@/db/queries/detection";
import { listKillHistory } from "@/db/queries/killswitch";
import { getPolicy } from "@/db/queries/policies";
import { listRotationRuns } from "@/db/queries/rotations";
import { listAgentSessions } from "@/db/queries/sessions";
import { roleAtLeast } from "@/lib/auth/roles";
import { formatAgo, formatCost, formatCount, formatUtc } from "@/lib/format";
import { loadKillPolicies } from "@/lib/killswitch";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ agentId: string }> };

/** Next.js hands generateMetadata the decoded segment but the page the percent-encoded one. */
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Agent ${(await params).agentId}` };
}

export default async function AgentPage({ params }: Props) {
  const me = await requireUser();
  const agentId = decodeURIComponent((await params).agentId);
  const db = appDb();
  const agent = await getAgent(db, agentId);
  if (!agent) notFound();
  const canReadCanaries = roleAtLeast(me.role, "analyst");
  const canReadCredentials = roleAtLeast(me.role, "analyst");
  const [sessions, history, policies, baseline, securityPolicy, canaries, openAlerts, credentials, rotations] = await Promise.all([
    listAgentSessions(db, agentId),
    listKillHistory(db, agentId),
    loadKillPolicies(db, agentId, true),
    getBaseline(db, agentId),
    getPolicy(db, agentId),
    canReadCanaries ? listCanaries(db, agentId) : Promise.resolve([]),
    listAlerts(db, { agent_id: agentId, status: "unresolved", limit: 1 }),
    canReadCredentials ? listCredentials(db, agentId) : Promise.resolve([]),
    canReadCredentials ? listRotationRuns(db, { agentId }, 10) : Promise.resolve([]),
  ]);
  const now = Date.now();

  return (
    <>
      <h1>
        Agent <span className="mono">{agent.agent_id}</span>
      </h1>
      <p className="subtitle">
        {agent.display_name} · last seen {formatAgo(agent.last_seen_at, now)} · {formatCount(agent.events_24h)} events in 24 h ·{" "}
        <Link href={`/events?agent_id=${encodeURIComponent(agent.agent_id)}`}>all events</Link> ·{" "}
        <Link href={`/alerts?agent_id=${encodeURIComponent(agent.agent_id)}`}>{openAlerts.alerts.length > 0 ? "open alerts" : "alerts"}</Link>
      </p>
      <section className="panel form-row" aria-label="Kill switch">
        <strong>Kill switch</strong>
        <AgentKillControl agentId={agent.agent_id} role={me.role} />
        <KillPreview agentId={agent.agent_id} />
      </section>

      <section aria-labelledby="tool-tokens-title">
        <h2 id="tool-tokens-title">Tool tokens</h2>
        <ToolTokensList agentId={agent.agent_id} />
      </section>

      <h2>Automatic kills</h2>
      <KillPoliciesEditor agentId={agent.agent_id} policies={policies} editable={roleAtLeast(me.role, "admin")} />

      <h2>Baseline</h2>
      <BaselineEditor agentId={agent.agent_id} view={baseline} editable={roleAtLeast(me.role, "admin")} canRecompute={roleAtLeast(me.role, "analyst")} />

      <section aria-labelledby="policy-title">
        <h2 id="policy-title">Security policy</h2>
        <PolicyEditor agentId={agent.agent_id} view={securityPolicy} editable={roleAtLeast(me.role, "admin")} />
      </section>

      {canReadCredentials && (
        <section aria-labelledby="credentials-title">
          <h2 id="credentials-title">Credentials</h2>
          <CredentialsPanel agentId={agent.agent_id} role={me.role} initialCredentials={credentials} initialRotations={rotations} />
        </section>
      )}

      {canReadCanaries && (
        <>
          <h2>Canaries</h2>
          <CanariesPanel agentId={agent.agent_id} canaries={canaries} editable={roleAtLeast(me.role, "admin")} />
        </>
      )}

      <h2>Recent sessions</h2>
      <div className="panel">
        {sessions.length === 0 ? (
          <p className="empty">No sessions yet.</p>
        ) : (
          <table aria-label="Recent sessions">
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Started</th>
                <th scope="col">Last event</th>
                <th scope="col">Events</th>
                <th scope="col">Errors</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.session_id}>
                  <td>
                    <Link className="mono" href={`/sessions/${encodeURIComponent(s.session_id)}`}>
                      {s.session_id}
                    </Link>
                  </td>
                  <td className="time">{formatUtc(s.started_at)}</td>
                  <td className="time">{formatUtc(s.last_event_at)}</td>
                  <td className="num">{formatCount(s.event_count)}</td>
                  <td className="num">{formatCount(s.error_count)}</td>
                  <td className="num">{formatCost(s.cost_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <h2>Kill-switch history</h2>
      <div className="panel">
        {history.length === 0 ? (
          <p className="empty">Never killed.</p>
        ) : (
          <table aria-label="Kill-switch history">
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Action</th>
                <th scope="col">By</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h, i) => (
                <tr key={`${h.at}-${i}`}>
                  <td className="time">{formatUtc(h.at)}</td>
                  <td className="mono">{h.action}</td>
                  <td className="mono">
                    {h.actor}
                    {h.source === "redis" && " (in Redis by hand)"}
                  </td>
                  <td>{h.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
