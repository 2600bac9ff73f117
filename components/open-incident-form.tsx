"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import type { IncidentView } from "@/lib/incidents/types";
import { callApi } from "./api-client";
import { runbookQueries } from "./queries";
import { ProblemBox } from "./shown-once";

const SEVERITIES = ["critical", "high", "medium", "low"] as const;
const list = (value: FormDataEntryValue | null) =>
  String(value ?? "")
    .split(/[\s,]+/)
    .filter(Boolean);

/** Opens an incident by hand (responder+): agents, sessions, title, severity and runbook, when no alert started it. */
export function OpenIncidentForm() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const runbooks = useQuery({ ...runbookQueries.list(), enabled: open });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    const result = await callApi<IncidentView>("POST", "/api/v1/incidents", {
      title: String(form.get("title") ?? "").trim() || undefined,
      severity: String(form.get("severity") ?? "") || undefined,
      agent_ids: list(form.get("agent_ids")),
      session_ids: list(form.get("session_ids")),
      alert_ids: [],
      runbook_id: String(form.get("runbook_id") ?? "") || undefined,
    });
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    router.push(`/incidents/${result.data.id}`);
  }

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Open an incident by hand
      </button>
    );
  }
  return (
    <form className="panel filters" aria-label="Open an incident by hand" onSubmit={(e) => void submit(e)}>
      <label>
        Title
        <input name="title" maxLength={200} size={36} placeholder="what is happening" />
      </label>
      <label>
        Agents
        <input name="agent_ids" required size={28} placeholder="agent ids, comma-separated" />
      </label>
      <label>
        Sessions
        <input name="session_ids" size={28} placeholder="session ids (optional)" />
      </label>
      <label>
        Severity
        <select name="severity" defaultValue="">
          <option value="">the runbook's</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        Runbook
        <select name="runbook_id" defaultValue="">
          <option value="">agent_compromise_runbook</option>
          {(runbooks.data ?? [])
            .filter((r) => r.name !== "agent_compromise_runbook")
            .map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} (v{r.version})
              </option>
            ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Opening…" : "Open incident"}
      </button>
      <button type="button" onClick={() => setOpen(false)} disabled={busy}>
        Cancel
      </button>
      <ProblemBox problem={problem} />
    </form>
  );
}
