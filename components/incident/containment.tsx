"use client";

import Link from "next/link";
import type { Role } from "@/lib/auth/roles";
import type { IncidentView } from "@/lib/incidents/types";
import { KillPreview } from "../containment/kill-preview";
import { AgentKillControl } from "../kill-switch-controls";

/** First on the page: the incident's agents with their live kill state, what a kill of each would stop, and Kill (asking for a reason) for responders. */
export function Containment({ incident, role }: { incident: IncidentView; role: Role }) {
  return (
    <section className="panel containment" aria-labelledby="containment-title">
      <h2 id="containment-title">Containment</h2>
      <ul className="containment-agents" aria-label="Agents in this incident">
        {incident.agent_ids.map((agentId) => (
          <li key={agentId}>
            <Link className="mono" href={`/agents/${encodeURIComponent(agentId)}`}>
              {agentId}
            </Link>
            <AgentKillControl agentId={agentId} role={role} />
            <KillPreview agentId={agentId} />
          </li>
        ))}
      </ul>
    </section>
  );
}
