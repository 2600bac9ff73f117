"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import type { KillPolicy } from "@/lib/killswitch/policies";
import { callApi } from "./api-client";
import { ProblemBox } from "./shown-once";

const DESCRIPTIONS: Record<KillPolicy["rule"], string> = {
  canary_leak: "a registered canary appears in anything the agent sends out",
  critical_alert: "a critical alert is raised for the agent",
  session_cost_above: "one session's cost passes a hard limit",
};

export function KillPoliciesEditor({ agentId, policies, editable }: { agentId: string; policies: KillPolicy[]; editable: boolean }) {
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const current = (rule: KillPolicy["rule"]) => policies.find((p) => p.rule === rule);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const threshold = String(form.get("threshold") ?? "");
    const next = (["canary_leak", "critical_alert", "session_cost_above"] as const).map((rule) => ({
      rule,
      enabled: form.get(rule) === "on",
      ...(rule === "session_cost_above" && threshold ? { threshold_usd: Number(threshold) } : {}),
    }));
    const result = await callApi("PUT", `/api/v1/agents/${encodeURIComponent(agentId)}/kill-policies`, { policies: next });
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    setSaved(true);
    router.refresh();
  }

  return (
    <form className="panel form-row" onSubmit={(e) => void save(e)} aria-label="Automatic kill policies">
      {(["canary_leak", "critical_alert", "session_cost_above"] as const).map((rule) => (
        <div key={rule} className="policy">
          <label className="check">
            <input type="checkbox" name={rule} defaultChecked={current(rule)?.enabled ?? false} disabled={!editable} /> Kill when {DESCRIPTIONS[rule]}
          </label>
          {rule === "session_cost_above" && (
            <label>
              Limit (USD)
              <input name="threshold" type="number" min={0.01} step={0.01} defaultValue={current(rule)?.threshold_usd ?? ""} disabled={!editable} />
            </label>
          )}
        </div>
      ))}
      {editable ? (
        <button type="submit" className="primary">
          Save policies
        </button>
      ) : (
        <span className="subtitle">Only admins change these.</span>
      )}
      {saved && <span role="status">Saved; each change is in the audit log.</span>}
      <ProblemBox problem={problem} />
    </form>
  );
}
