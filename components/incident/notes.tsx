"use client";

import { type FormEvent, useState } from "react";
import { Button } from "../ui/button";
import { Notice } from "../ui/notice";
import type { Act } from "./use-incident-action";

export function PostIncidentNotes({ notes, canEdit, act }: { notes: string; canEdit: boolean; act: Act }) {
  // The draft remembers the notes it started from, so a save by someone else meanwhile is pointed out, not overwritten silently.
  const [draft, setDraft] = useState<{ text: string; base: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    const error = await act("PUT", "/post-incident", { notes: draft.text });
    setBusy(false);
    setProblem(error);
    if (!error) {
      setDraft(null);
      setSaved(true);
    }
  }

  return (
    <section className="panel incident-section padded" aria-labelledby="post-incident-title">
      <h2 id="post-incident-title">Post-incident notes</h2>
      {!canEdit ? (
        notes ? (
          <p className="log-text">{notes}</p>
        ) : (
          <p className="muted">No notes yet.</p>
        )
      ) : (
        <form className="comment-form" onSubmit={(e) => void submit(e)} aria-label="Post-incident notes">
          <label>
            Notes: what happened, why, and what changes so it does not happen again
            <textarea
              value={draft?.text ?? notes}
              onChange={(e) => {
                setSaved(false);
                setDraft({ text: e.target.value, base: draft?.base ?? notes });
              }}
              rows={8}
              maxLength={20_000}
            />
          </label>
          {draft && draft.base !== notes && (
            <p className="notice">Someone else saved these notes while you were editing. Saving replaces their version with yours.</p>
          )}
          <div className="actions">
            <Button type="submit" variant="primary" busy={busy} busyLabel="Saving…" disabled={draft === null}>
              Save notes
            </Button>
            {draft && (
              <Button onClick={() => setDraft(null)} disabled={busy}>
                Discard changes
              </Button>
            )}
            <span role="status" className="muted">
              {saved ? "Saved." : draft ? "Unsaved changes." : ""}
            </span>
          </div>
          <Notice kind="error">{problem}</Notice>
        </form>
      )}
    </section>
  );
}
