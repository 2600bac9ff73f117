"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { IncidentView } from "@/lib/incidents/types";
import { callApi } from "./api-client";
import { ProblemBox } from "./shown-once";

/**
 * Opens an incident for these agents, sessions and alerts (with the shipped agent-compromise runbook) and
 * goes to its page. Title and severity come from the alerts or the runbook unless given here.
 */
export function OpenIncidentButton({
  agentIds,
  sessionIds,
  alertIds,
  title,
  severity,
}: {
  agentIds: string[];
  sessionIds: string[];
  alertIds: number[];
  title?: string;
  severity?: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function open() {
    setBusy(true);
    setProblem(null);
    const result = await callApi<IncidentView>("POST", "/api/v1/incidents", {
      agent_ids: agentIds,
      session_ids: sessionIds,
      alert_ids: alertIds,
      ...(title ? { title } : {}),
      ...(severity ? { severity } : {}),
    });
    if (!result.ok) {
      setBusy(false);
      return setProblem(result.error);
    }
    router.push(`/incidents/${result.data.id}`);
  }

  return (
    <div className="open-incident">
      <button type="button" onClick={() => void open()} disabled={busy}>
        {busy ? "Opening…" : "Open incident"}
      </button>
      <ProblemBox problem={problem} />
    </div>
  );
}
