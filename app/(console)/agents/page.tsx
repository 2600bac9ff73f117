import type { Metadata } from "next";
import Link from "next/link";
import { appDb } from "@/db/client";
import { listAgents } from "@/db/queries/agents";
import { formatAgo, formatCount, formatUtc } from "@/lib/format";
import { AgentKillControl, GlobalKillBar } from "@/components/kill-switch-controls";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  const me = await requireUser();
  const agents = await listAgents(appDb());
  const now = Date.now();
  const events24h = agents.reduce((sum, a) => sum + a.events_24h, 0);
  const activeNow = agents.filter((a) => a.last_seen_at && now - Date.parse(a.last_seen_at) < 15 * 60_000).length;
  return (
    <>
      <h1>Agents</h1>
      <p className="subtitle">Registered agents and what they sent in the last 24 hours.</p>
      <GlobalKillBar role={me.role} />
      <dl className="stats">
        <div className="panel stat">
          <dt>Registered</dt>
          <dd>{agents.length}</dd>
        </div>
        <div className="panel stat">
          <dt>Seen in last 15 min</dt>
          <dd>{activeNow}</dd>
        </div>
        <div className="panel stat">
          <dt>Events, 24 h</dt>
          <dd>{formatCount(events24h)}</dd>
        </div>
      </dl>
      <div className="panel">
        {agents.length === 0 ? (
          <p className="empty">
            No agents yet. Register one with <code>npm run soc -- agent add &lt;agent_id&gt;</code>.
          </p>
        ) : (
          <table aria-label="Agents">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Last seen</th>
                <th scope="col">Events, 24 h</th>
                <th scope="col">Sessions, 24 h</th>
                <th scope="col">Ingest keys</th>
                <th scope="col">Registered</th>
                <th scope="col">Kill switch</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.agent_id}>
                  <td>
                    <Link href={`/agents/${encodeURIComponent(a.agent_id)}`}>{a.agent_id}</Link>
                    {a.display_name !== a.agent_id && <div className="subtitle" style={{ margin: 0 }}>{a.display_name}</div>}
                  </td>
                  <td title={a.last_seen_at ? formatUtc(a.last_seen_at) : undefined}>{formatAgo(a.last_seen_at, now)}</td>
                  <td className="num">{formatCount(a.events_24h)}</td>
                  <td className="num">{formatCount(a.sessions_24h)}</td>
                  <td className="num">{a.active_keys}</td>
                  <td className="time">{formatUtc(a.created_at).slice(0, 16)}</td>
                  <td>
                    <AgentKillControl agentId={a.agent_id} role={me.role} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
