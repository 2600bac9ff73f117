import type { Metadata } from "next";
import Link from "next/link";
import { AgentKillControl, GlobalKillBanner, GlobalKillBar } from "@/components/kill-switch-controls";
import { DataTable } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import { appDb } from "@/db/client";
import { listAgents } from "@/db/queries/agents";
import { formatAgo, formatCount, formatUtc } from "@/lib/format";
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
      <p className="subtitle">
        Registered agents and what they sent in the last 24 hours. Kill one beside its name; the switch for all agents is below the list.
      </p>
      <GlobalKillBanner />
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
        <DataTable
          label="Agents"
          rows={agents}
          rowKey={(a) => a.agent_id}
          empty={
            <>
              No agents yet. Register one with <code>npm run soc -- agent add &lt;agent_id&gt;</code>.
            </>
          }
          columns={[
            {
              header: "Agent",
              primary: true,
              cell: (a) => (
                <>
                  <div className="agent-name">
                    <Link href={`/agents/${encodeURIComponent(a.agent_id)}`}>{a.agent_id}</Link>
                    <AgentKillControl agentId={a.agent_id} role={me.role} compact />
                  </div>
                  {a.display_name !== a.agent_id && <div className="muted">{a.display_name}</div>}
                </>
              ),
            },
            { header: "Last seen", cell: (a) => <span title={a.last_seen_at ? formatUtc(a.last_seen_at) : undefined}>{formatAgo(a.last_seen_at, now)}</span> },
            { header: "Events, 24 h", className: "num", cell: (a) => formatCount(a.events_24h) },
            { header: "Sessions, 24 h", className: "num", cell: (a) => formatCount(a.sessions_24h) },
            { header: "Ingest keys", className: "num", cell: (a) => a.active_keys },
            { header: "Registered", className: "time", cell: (a) => <Time iso={a.created_at} /> },
          ]}
        />
      </div>
      <GlobalKillBar role={me.role} />
    </>
  );
}
