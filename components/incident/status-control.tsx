"use client";

import { type FormEvent, useState } from "react";
import type { IncidentStatus } from "@/lib/incidents/types";
import { Button } from "../ui/button";
import { Notice } from "../ui/notice";
import type { Act } from "./use-incident-action";

/** One control for the status: pick where it goes next (the server says where the reader may), add a note, save. */
export function StatusControl({ choices, act }: { choices: IncidentStatus[]; act: Act }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const target = String(form.get("status") ?? "");
    const note = String(form.get("note") ?? "").trim();
    setBusy(true);
    const error = await act("POST", "/status", note ? { status: target, note } : { status: target });
    setBusy(false);
    setProblem(error);
    if (!error) formElement.reset();
  }

  if (choices.length === 0) return null;
  return (
    <form className="status-controls status-select" aria-label="Change status" onSubmit={(e) => void submit(e)}>
      <label>
        <span className="muted">Move to</span>{" "}
        <select name="status" defaultValue={choices[0]}>
          {choices.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="muted">Note</span> <input name="note" maxLength={4000} placeholder="optional: why" />
      </label>
      <Button type="submit" variant="primary" busy={busy} busyLabel="Saving…">
        Change status
      </Button>
      <Notice kind="error">{problem}</Notice>
    </form>
  );
}
