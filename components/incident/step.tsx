"use client";

import { useState } from "react";
import { formatUtc } from "@/lib/format";
import { DANGEROUS_ACTIONS, type StepView } from "@/lib/incidents/types";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmButton } from "../ui/dialog";
import { Notice } from "../ui/notice";
import { CommandBlock } from "./command-block";
import { NoteForm } from "./note-form";
import { StepOutput } from "./step-output";
import type { Act } from "./use-incident-action";

/**
 * One runbook step. What the reader may do with it (runnable, retry, finish_by_hand, skippable) and
 * the output's shape come from the server: the page applies no rule of its own.
 */
export function Step({ step, act }: { step: StepView; act: Act }) {
  const [mode, setMode] = useState<"complete" | "skip" | null>(null);
  const [busy, setBusy] = useState<"run" | "complete" | "skip" | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const dangerous = step.action !== null && DANGEROUS_ACTIONS.includes(step.action);
  const runLabel = step.retry ? "Retry" : "Run";

  async function send(verb: "run" | "complete" | "skip", body?: Record<string, string>) {
    setBusy(verb);
    const error = await act("POST", `/steps/${encodeURIComponent(step.step_id)}/${verb}`, body);
    setBusy(null);
    setProblem(error);
    if (!error) setMode(null);
  }

  return (
    <li className={`step${step.overdue ? " step-overdue" : ""}${dangerous && step.runnable ? " step-danger" : ""}`} id={`step-${step.step_id}`}>
      <div className="step-head">
        <span className="step-title">{step.title}</span>
        <Badge tone={`kind-${step.kind}`}>{step.kind}</Badge>
        <Badge tone={`state-${step.state}`} title={step.blocked_reason ?? undefined}>
          {step.state}
        </Badge>
        {step.timeout_text && <span className="muted">within {step.timeout_text}</span>}
        {step.overdue && <Badge tone="overdue">overdue</Badge>}
      </div>
      <StepWho step={step} />
      {step.description && <p className="step-description">{step.description}</p>}
      {step.kind === "command" && step.command && <CommandBlock command={step.command} title={step.title} />}
      {step.command_problem && (
        <p className="step-error" role="note">
          Not filled in: {step.command_problem}. Check the value before running this by hand.
        </p>
      )}
      {step.kind === "automated" && step.command && (
        <details className="by-hand">
          <summary>The same by hand, if the console cannot do it</summary>
          <CommandBlock command={step.command} title={step.title} />
        </details>
      )}
      {/* A finished rotation's output lists each failure and why: the step's error would only say it again. */}
      {step.state === "failed" && step.error && step.output_view?.type !== "rotation_finished" && <p className="step-error">Failed: {step.error}</p>}
      {step.output_view && <StepOutput output={step.output_view} stored={step.output} />}
      {step.output_withheld && (
        <p className="muted" role="note">
          {step.output_withheld}.
        </p>
      )}
      {step.note && (
        <p className="step-note">
          {step.state === "skipped" ? "Reason" : "Note"}: {step.note}
        </p>
      )}
      {step.runnable && mode === null && (
        <div className="actions">
          {step.kind === "automated" &&
            (dangerous ? (
              <ConfirmButton
                danger
                variant="danger"
                disabled={busy !== null}
                ariaLabel={`${runLabel}: ${step.title}`}
                title={`${step.title}?`}
                message={
                  step.action === "kill_agent"
                    ? "The incident's agents stop at once; reviving them needs an admin."
                    : "The agents' credentials are replaced; whatever holds the old ones stops working."
                }
                confirmLabel={runLabel}
                onConfirm={() => act("POST", `/steps/${encodeURIComponent(step.step_id)}/run`)}
              >
                {runLabel}
              </ConfirmButton>
            ) : (
              <Button
                variant="primary"
                onClick={() => void send("run")}
                busy={busy === "run"}
                busyLabel="Running…"
                disabled={busy !== null}
                aria-label={`${runLabel}: ${step.title}`}
              >
                {runLabel}
              </Button>
            ))}
          {(step.kind !== "automated" || step.finish_by_hand) && (
            <Button
              variant={step.kind === "automated" ? "default" : "primary"}
              onClick={() => setMode("complete")}
              disabled={busy !== null}
              aria-label={`${step.kind === "automated" ? "Mark done by hand" : "Mark done"}: ${step.title}`}
            >
              {step.kind === "automated" ? "Mark done by hand" : "Mark done"}
            </Button>
          )}
          {step.skippable && (
            <Button onClick={() => setMode("skip")} disabled={busy !== null} aria-label={`Skip: ${step.title}`}>
              Skip
            </Button>
          )}
        </div>
      )}
      {step.runnable && mode === "complete" && (
        <NoteForm
          formLabel={`Mark done: ${step.title}`}
          fieldLabel={step.kind === "command" ? "Note (optional)" : "What was done"}
          placeholder={
            step.kind === "command"
              ? "what the command printed, or anything worth keeping"
              : step.kind === "automated"
                ? "what was done by hand"
                : "what was done"
          }
          required={step.kind !== "command"}
          submitLabel="Mark done"
          busy={busy === "complete"}
          onSubmit={(note) => send("complete", note ? { note } : {})}
          onCancel={() => setMode(null)}
        />
      )}
      {step.runnable && mode === "skip" && (
        <NoteForm
          formLabel={`Skip: ${step.title}`}
          fieldLabel="Reason"
          placeholder="why this step is not needed"
          required
          submitLabel="Skip step"
          busy={busy === "skip"}
          onSubmit={(reason) => send("skip", { reason })}
          onCancel={() => setMode(null)}
        />
      )}
      <Notice kind="error">{problem}</Notice>
    </li>
  );
}

function StepWho({ step }: { step: StepView }) {
  const by = step.actor ? ` by ${step.actor}` : "";
  const at = (iso: string | null) => (iso ? ` at ${formatUtc(iso)}` : "");
  const attempts = step.attempts > 1 ? ` (attempt ${step.attempts})` : "";
  let line: string | null = null;
  switch (step.state) {
    case "running":
      line = `Started${by}${at(step.started_at)}${attempts}`;
      break;
    case "done":
      line = `Done${by}${at(step.finished_at ?? step.started_at)}${attempts}`;
      break;
    case "failed":
      line = `Failed${at(step.finished_at ?? step.started_at)}${step.actor ? `, run by ${step.actor}` : ""}${attempts}`;
      break;
    case "skipped":
      line = `Skipped${by}${at(step.finished_at)}`;
      break;
    case "pending":
      line = null;
  }
  return line ? <p className="step-who">{line}</p> : null;
}
