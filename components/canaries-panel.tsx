"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import type { CanaryView } from "@/lib/detect/views";
import { formatUtc } from "@/lib/format";
import { callApi } from "./api-client";
import { ProblemBox } from "./shown-once";

const PLACEMENTS = [
  ["system_prompt", "System prompt"],
  ["document", "Document"],
  ["tool", "Tool"],
] as const;

export function CanariesPanel({ agentId, canaries, editable }: { agentId: string; canaries: CanaryView[]; editable: boolean }) {
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(method: string, url: string, body?: unknown) {
    setBusy(true);
    const result = await callApi(method, url, body);
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    router.refresh();
  }

  function issue(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run("POST", "/api/v1/canaries", { agent_id: agentId, placement: form.get("placement"), label: form.get("label") });
    event.currentTarget.reset();
  }

  return (
    <div className="panel">
      {canaries.length === 0 ? (
        <p className="empty">No canaries planted. A canary in the system prompt that shows up in output means the prompt was extracted.</p>
      ) : (
        <table aria-label="Canaries">
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Planted in</th>
              <th scope="col">Label</th>
              <th scope="col">Issued</th>
              {editable && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {canaries.map((c) => (
              <tr key={c.id}>
                <td className="mono">{c.token}</td>
                <td>{c.placement.replace("_", " ")}</td>
                <td>{c.label}</td>
                <td className="time">
                  {formatUtc(c.created_at)} by {c.created_by}
                </td>
                {editable && (
                  <td>
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() => void run("DELETE", `/api/v1/canaries/${c.id}`)}
                      aria-label={`Retire canary ${c.label}`}
                    >
                      Retire
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editable && (
        <form className="form-row" onSubmit={issue} aria-label="Issue a canary">
          <label>
            Planted in
            <select name="placement" defaultValue="system_prompt">
              {PLACEMENTS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Label
            <input name="label" required maxLength={200} placeholder="support prompt v3" />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            Issue canary
          </button>
        </form>
      )}
      <ProblemBox problem={problem} />
    </div>
  );
}
