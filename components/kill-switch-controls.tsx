"use client";

import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Role, roleAtLeast as atLeast } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/format";
import { callApi } from "./api-client";
import { useKillSwitches } from "./use-kill-switches";


/** Asks for the reason before a destructive action, and shows the server's answer, never a guess. */
export function ReasonForm({
  label,
  confirmWord,
  onSubmit,
  onCancel,
}: {
  label: string;
  confirmWord?: string;
  onSubmit: (reason: string) => Promise<string | null>;
  onCancel: () => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (confirmWord && form.get("confirm") !== confirmWord) return setProblem(`Type ${confirmWord} to confirm`);
    setBusy(true);
    const error = await onSubmit(String(form.get("reason") ?? ""));
    setBusy(false);
    if (error) setProblem(error);
  }
  return (
    <form className="reason-form" onSubmit={(e) => void submit(e)} aria-label={label}>
      <label>
        Reason
        <input name="reason" required minLength={3} autoFocus placeholder="what happened" />
      </label>
      {confirmWord && (
        <label>
          Type {confirmWord}
          <input name="confirm" required autoComplete="off" />
        </label>
      )}
      <button type="submit" className="danger" disabled={busy}>
        {busy ? "Working…" : label}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {problem && <span role="alert" className="error-box">{problem}</span>}
    </form>
  );
}

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

export function GlobalKillBar({ role }: { role: Role }) {
  const client = useQueryClient();
  const { data } = useKillSwitches();
  const [mode, setMode] = useState<"kill" | "lift" | null>(null);
  const global = data?.global?.killed ? data.global : null;
  const act = async (method: "PUT" | "DELETE", reason: string) => {
    const result = await callApi(method, "/api/v1/killswitch/global", { reason });
    if (!result.ok) return result.error;
    setMode(null);
    await client.invalidateQueries({ queryKey: ["killswitch"] });
    return null;
  };
  return (
    <div className={global ? "panel global-bar killed" : "panel global-bar"} aria-label="Global kill switch" role="region">
      {global ? (
        <strong>
          ALL AGENTS KILLED by {global.killed_by} at {global.killed_at ? formatUtc(global.killed_at) : "?"}: {global.reason}
        </strong>
      ) : (
        <span>Global kill switch: off</span>
      )}
      {!global && atLeast(role, "responder") && mode === null && (
        <button type="button" className="danger" onClick={() => setMode("kill")}>
          Kill all agents
        </button>
      )}
      {global && atLeast(role, "admin") && mode === null && (
        <button type="button" onClick={() => setMode("lift")}>
          Lift global kill
        </button>
      )}
      {mode === "kill" && <ReasonForm label="Kill all agents" confirmWord="KILL ALL" onSubmit={(r) => act("PUT", r)} onCancel={() => setMode(null)} />}
      {mode === "lift" && <ReasonForm label="Lift global kill" onSubmit={(r) => act("DELETE", r)} onCancel={() => setMode(null)} />}
    </div>
  );
}

export function AgentKillControl({ agentId, role }: { agentId: string; role: Role }) {
  const client = useQueryClient();
  const { data } = useKillSwitches();
  const [mode, setMode] = useState<"kill" | "revive" | null>(null);
  const state = data?.agents.find((a) => a.agent_id === agentId);
  const killed = state?.killed === true;
  const act = async (method: "PUT" | "DELETE", reason: string) => {
    const result = await callApi(method, `/api/v1/killswitch/agents/${encodeURIComponent(agentId)}`, { reason });
    if (!result.ok) return result.error;
    setMode(null);
    await client.invalidateQueries({ queryKey: ["killswitch"] });
    return null;
  };
  return (
    <div className="kill-control" data-agent-id={agentId}>
      {killed && state ? (
        <div role="status" className="kill-state">
          <span className="badge killed">KILLED</span> by {state.killed_by} at {state.killed_at ? formatUtc(state.killed_at) : "?"}
          {state.source === "redis" && " (set in Redis by hand)"}: {state.reason}
          <br />
          {state.acknowledged_at ? `stopped after ${state.time_to_stop_s?.toFixed(1)} s` : "not acknowledged yet"}
          {state.actions_after_kill > 0 && <span className="badge killed"> still acting: {state.actions_after_kill} actions after the kill</span>}
        </div>
      ) : (
        <span className="badge alive">running</span>
      )}
      {!killed && atLeast(role, "responder") && mode === null && (
        <button type="button" className="danger" onClick={() => setMode("kill")}>
          Kill
        </button>
      )}
      {killed && atLeast(role, "admin") && mode === null && (
        <button type="button" onClick={() => setMode("revive")}>
          Revive
        </button>
      )}
      {mode === "kill" && <ReasonForm label={`Kill ${agentId}`} onSubmit={(r) => act("PUT", r)} onCancel={() => setMode(null)} />}
      {mode === "revive" && <ReasonForm label={`Revive ${agentId}`} onSubmit={(r) => act("DELETE", r)} onCancel={() => setMode(null)} />}
    </div>
  );
}
