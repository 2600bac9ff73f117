"use client";

import { roleAtLeast as atLeast, type Role } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/format";
import { Badge } from "./ui/badge";
import { ConfirmButton } from "./ui/dialog";
import { useAction } from "./ui/use-action";
import { useKillSwitches } from "./use-kill-switches";

/** A kill revokes the agent's tool tokens: what the kill preview and token lists show changes with it. */
const AFTER_KILL_CHANGE = [["killswitch"], ["containment"], ["tool-tokens"]];

export function RedisBanner() {
  const { data } = useKillSwitches();
  if (!data) return null;
  if (data.redis === "ok") {
    const shared = data.redis_sharing?.problem;
    return shared ? (
      <div className="banner-danger" role="alert" aria-label="Redis shared with another console">
        {shared}
      </div>
    ) : null;
  }
  return (
    <div className="banner-danger" role="alert">
      {data.redis === "not_configured"
        ? "Redis is not configured: kill switches cannot be set. Set REDIS_URL or install redis-server, then restart the console."
        : "Redis is unreachable: kill and revive will fail until it is back. Agents that read Redis cannot see new kills."}
    </div>
  );
}

/** Shown at the top of the agents list only while every agent is killed (the controls are below the list). */
export function GlobalKillBanner() {
  const { data } = useKillSwitches();
  const global = data?.global?.killed ? data.global : null;
  return global ? (
    <div className="banner-danger" role="alert">
      All agents are killed (by {global.killed_by} at {global.killed_at ? formatUtc(global.killed_at) : "?"}): {global.reason}
    </div>
  ) : null;
}

export function GlobalKillBar({ role }: { role: Role }) {
  const { data } = useKillSwitches();
  const global = data?.global?.killed ? data.global : null;
  const kill = useAction<{ reason: string }>({ method: "PUT", url: "/api/v1/killswitch/global", invalidate: AFTER_KILL_CHANGE });
  const lift = useAction<{ reason: string }>({ method: "DELETE", url: "/api/v1/killswitch/global", invalidate: AFTER_KILL_CHANGE });
  return (
    <section className={global ? "panel global-bar killed" : "panel global-bar"} aria-label="Global kill switch">
      {global ? (
        <strong>
          ALL AGENTS KILLED by {global.killed_by} at {global.killed_at ? formatUtc(global.killed_at) : "?"}: {global.reason}
        </strong>
      ) : (
        <span>Global kill switch: off</span>
      )}
      {!global && atLeast(role, "responder") && (
        <ConfirmButton
          danger
          title="Kill all agents?"
          message="Every agent that reads the kill switch stops at once. Lifting it needs an admin."
          confirmLabel="Kill all agents"
          confirmWord="KILL ALL"
          reason={{}}
          onConfirm={(reason) => kill.run({ reason })}
        >
          Kill all agents
        </ConfirmButton>
      )}
      {global && atLeast(role, "admin") && (
        <ConfirmButton
          title="Lift the global kill?"
          message="Agents may act again."
          confirmLabel="Lift global kill"
          reason={{}}
          onConfirm={(reason) => lift.run({ reason })}
        >
          Lift global kill
        </ConfirmButton>
      )}
    </section>
  );
}

/**
 * One agent's kill switch: its state (live) and Kill (responder+) or Revive (admin), each asking for a
 * reason first. `compact` keeps a table row one line high: the details move to the badge's title.
 */
export function AgentKillControl({ agentId, role, compact = false }: { agentId: string; role: Role; compact?: boolean }) {
  const { data } = useKillSwitches();
  const state = data?.agents.find((a) => a.agent_id === agentId);
  const killed = state?.killed === true;
  const url = `/api/v1/killswitch/agents/${encodeURIComponent(agentId)}`;
  const kill = useAction<{ reason: string }>({ method: "PUT", url, invalidate: AFTER_KILL_CHANGE });
  const revive = useAction<{ reason: string }>({ method: "DELETE", url, invalidate: AFTER_KILL_CHANGE });
  const details =
    killed && state
      ? `by ${state.killed_by} at ${state.killed_at ? formatUtc(state.killed_at) : "?"}${state.source === "redis" ? " (set in Redis by hand)" : ""}: ${state.reason}`
      : "";
  // Whether the agent confirmed it stopped is what on-call looks for first, in the list as on the agent's page.
  const stopped = state?.acknowledged_at ? `stopped after ${state.time_to_stop_s?.toFixed(1)} s` : "not acknowledged yet";
  return (
    <div className="kill-control" data-agent-id={agentId}>
      {killed && state ? (
        compact ? (
          <span role="status" className="kill-line" title={details}>
            <Badge tone="killed">KILLED</Badge> {stopped} · {details}
          </span>
        ) : (
          <div role="status" className="kill-state">
            <Badge tone="killed">KILLED</Badge> {details}
            <br />
            {stopped}
            {state.actions_after_kill > 0 && <Badge tone="killed"> still acting: {state.actions_after_kill} actions after the kill</Badge>}
          </div>
        )
      ) : (
        <Badge tone="alive">{data ? "running" : "…"}</Badge>
      )}
      {!killed && atLeast(role, "responder") && (
        <ConfirmButton
          danger
          ariaLabel={`Kill ${agentId}`}
          title={`Kill ${agentId}?`}
          message={`${agentId} stops at its next check of the kill switch. Reviving it needs an admin.`}
          confirmLabel={`Kill ${agentId}`}
          reason={{ placeholder: "what it did" }}
          onConfirm={(reason) => kill.run({ reason })}
        >
          Kill
        </ConfirmButton>
      )}
      {killed && atLeast(role, "admin") && (
        <ConfirmButton
          ariaLabel={`Revive ${agentId}`}
          title={`Revive ${agentId}?`}
          message={`${agentId} may act again.`}
          confirmLabel={`Revive ${agentId}`}
          reason={{ placeholder: "why it is safe" }}
          onConfirm={(reason) => revive.run({ reason })}
        >
          Revive
        </ConfirmButton>
      )}
    </div>
  );
}
