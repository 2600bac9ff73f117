"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { callApi } from "./api-client";
import { ProblemBox } from "./shown-once";

/** Acknowledge and resolve buttons for one alert; resolving asks what was found and done. */
export function AlertActions({ alertId, status }: { alertId: number; status: "open" | "acknowledged" | "resolved" }) {
  const router = useRouter();
  const [resolving, setResolving] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function act(action: "acknowledge" | "resolve", body: Record<string, string>) {
    setBusy(true);
    const result = await callApi("POST", `/api/v1/alerts/${alertId}/${action}`, body);
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    setResolving(false);
    router.refresh();
  }

  function submitResolve(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void act("resolve", { note: String(new FormData(event.currentTarget).get("note") ?? "") });
  }

  if (status === "resolved") return null;
  return (
    <div className="actions">
      {status === "open" && (
        <button type="button" onClick={() => void act("acknowledge", {})} disabled={busy} aria-label={`Acknowledge alert ${alertId}`}>
          Acknowledge
        </button>
      )}
      {!resolving ? (
        <button type="button" onClick={() => setResolving(true)} disabled={busy} aria-label={`Resolve alert ${alertId}`}>
          Resolve…
        </button>
      ) : (
        <form className="reason-form" onSubmit={submitResolve} aria-label={`Resolve alert ${alertId}`}>
          <label>
            Resolution note
            <input name="note" required maxLength={2000} placeholder="What was found and done" autoFocus />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            Resolve
          </button>
          <button type="button" onClick={() => setResolving(false)}>
            Cancel
          </button>
        </form>
      )}
      <ProblemBox problem={problem} />
    </div>
  );
}
