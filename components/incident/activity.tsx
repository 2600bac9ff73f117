"use client";

import { type FormEvent, useState } from "react";
import type { ActivityView } from "@/lib/incidents/types";
import { Button } from "../ui/button";
import { Notice } from "../ui/notice";
import { Time } from "../ui/time";
import type { Act } from "./use-incident-action";

export function Activity({ activity, canComment, act }: { activity: ActivityView[]; canComment: boolean; act: Act }) {
  const ordered = [...activity].sort((a, b) => a.id - b.id);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    const error = await act("POST", "/comments", { text: text.trim() });
    setBusy(false);
    setProblem(error);
    if (!error) setText("");
  }

  return (
    <section className="panel incident-section padded" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      {ordered.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <ol className="activity" aria-label="Activity">
          {ordered.map((a) => (
            <li key={a.id} className={`activity-${a.kind}`}>
              <Time iso={a.at} className="time" />
              <span className="activity-actor">{a.actor}</span>
              <span className="activity-summary">{a.summary}</span>
            </li>
          ))}
        </ol>
      )}
      {canComment && (
        <form className="comment-form" onSubmit={(e) => void submit(e)} aria-label="Add a comment">
          <label>
            Comment
            <textarea
              value={text}
              onChange={(e) => setText(e.target.value)}
              rows={3}
              required
              maxLength={4000}
              placeholder="what you found, decided or are about to do"
            />
          </label>
          <div className="actions">
            <Button type="submit" variant="primary" busy={busy} busyLabel="Adding…" disabled={!text.trim()}>
              Add comment
            </Button>
          </div>
          <Notice kind="error">{problem}</Notice>
        </form>
      )}
    </section>
  );
}
