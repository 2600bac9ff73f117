"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { formatUtc } from "@/lib/format";
import type { RunbookView } from "@/lib/incidents/types";
import type { RunbookError } from "@/lib/runbooks";
import { callApi } from "./api-client";
import { runbookQueries } from "./queries";
import { ProblemBox } from "./shown-once";

const RUNBOOKS_KEY = runbookQueries.list().queryKey;

type UploadAnswer = { ok: true; runbook: RunbookView } | { ok: false; message: string; errors: RunbookError[] };
type UploadBody = RunbookView | { error?: { message?: string; details?: { errors?: unknown } } };

function isRunbookError(value: unknown): value is RunbookError {
  return typeof value === "object" && value !== null && "line" in value && "message" in value;
}

/** The runbook API takes the YAML itself, not JSON, so this is the one call that does not go through callApi. */
async function uploadRunbook(yaml: string): Promise<UploadAnswer> {
  let res: Response;
  try {
    res = await fetch("/api/v1/runbooks", { method: "POST", headers: { "content-type": "application/yaml" }, body: yaml });
  } catch {
    return { ok: false, message: "The console did not answer; nothing was saved", errors: [] };
  }
  const body: UploadBody | null = await res.json().catch(() => null);
  if (res.ok && body && "name" in body) return { ok: true, runbook: body };
  const error = body && "error" in body ? body.error : undefined;
  const errors = Array.isArray(error?.details?.errors) ? error.details.errors.filter(isRunbookError) : [];
  return { ok: false, message: error?.message ?? `The console answered ${res.status}; nothing was saved`, errors };
}

function formatError(e: RunbookError): string {
  return `line ${e.line}, column ${e.column}${e.path ? `, ${e.path}` : ""}: ${e.message}`;
}

/** Every runbook's latest version, readable by all; admins paste YAML to add a runbook or a new version of one. */
export function RunbooksAdmin({ canUpload }: { canUpload: boolean }) {
  const client = useQueryClient();
  const query = useQuery(runbookQueries.list());
  const [yaml, setYaml] = useState("");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<UploadAnswer | null>(null);
  const editor = useRef<HTMLTextAreaElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    const result = await uploadRunbook(yaml);
    setBusy(false);
    setAnswer(result);
    if (result.ok) await client.invalidateQueries({ queryKey: RUNBOOKS_KEY });
  }

  function edit(source: string) {
    setYaml(source);
    setAnswer(null);
    editor.current?.scrollIntoView({ block: "center" });
    editor.current?.focus();
  }

  const runbooks = query.data;
  return (
    <>
      {query.isError && <ProblemBox problem={`Runbooks could not be loaded: ${query.error.message}`} />}
      {!runbooks ? (
        !query.isError && <p className="empty">Loading…</p>
      ) : runbooks.length === 0 ? (
        <p className="panel empty">No runbook yet.</p>
      ) : (
        runbooks.map((r) => <RunbookCard key={r.id} runbook={r} onEdit={canUpload ? edit : null} />)
      )}
      {canUpload && (
        <form className="panel incident-section padded runbook-upload" onSubmit={(e) => void submit(e)} aria-label="Upload a runbook">
          <h2>Add a runbook or a new version</h2>
          <p className="muted">
            One top-level key, the runbook&apos;s name, holding severity, escalation_path and its phases of steps. A name that exists already gets a new
            version; incidents already open keep the version they started with.
          </p>
          <label>
            Paste runbook YAML
            <textarea
              ref={editor}
              value={yaml}
              onChange={(e) => setYaml(e.target.value)}
              rows={18}
              spellCheck={false}
              placeholder={'my_runbook:\n  severity: high\n  escalation_path: [oncall_engineer]\n  immediate_actions:\n    - step: "…"'}
            />
          </label>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || !yaml.trim()}>
              {busy ? "Uploading…" : "Upload"}
            </button>
          </div>
          {answer?.ok && (
            <p role="status" className="notice">
              Saved {answer.runbook.name} version {answer.runbook.version}.
            </p>
          )}
          {answer && !answer.ok && (
            <div className="error-box" role="alert">
              {answer.errors.length === 0 ? (
                answer.message
              ) : (
                <>
                  The runbook was not saved: {answer.errors.length} problem{answer.errors.length === 1 ? "" : "s"}.
                  <ul className="upload-errors">
                    {answer.errors.map((e, n) => (
                      <li key={n}>{formatError(e)}</li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          )}
        </form>
      )}
    </>
  );
}

function RunbookCard({ runbook, onEdit }: { runbook: RunbookView; onEdit: ((source: string) => void) | null }) {
  const headingId = `runbook-${runbook.id}`;
  return (
    <article className="panel incident-section padded runbook" aria-labelledby={headingId}>
      <h2 id={headingId}>
        <span className="mono">{runbook.name}</span> <span className="muted">version {runbook.version}</span>
      </h2>
      <p className="runbook-meta">
        <span className={`badge sev-${runbook.severity}`}>{runbook.severity}</span> Escalation:{" "}
        {runbook.escalation_path.length === 0 ? <span className="muted">none</span> : <span className="mono">{runbook.escalation_path.join(" → ")}</span>}
        <span className="muted">
          {" "}
          · uploaded by {runbook.created_by} at {formatUtc(runbook.created_at)}
        </span>
      </p>
      {runbook.phases.map((phase) => (
        <section key={phase.key} className="runbook-phase">
          <h3>{phase.title}</h3>
          <ol className="runbook-steps" aria-label={`${runbook.name}: ${phase.title}`}>
            {phase.steps.map((step) => (
              <li key={step.step_id}>
                {step.title} <span className={`badge kind-${step.kind}`}>{step.kind}</span>
                {step.timeout_text && <span className="muted">within {step.timeout_text}</span>}
                {step.description && <div className="muted">{step.description}</div>}
                {step.command && <code className="runbook-command">{step.command}</code>}
              </li>
            ))}
          </ol>
        </section>
      ))}
      <RunbookSource runbookId={runbook.id} name={runbook.name} onEdit={onEdit} />
    </article>
  );
}

function RunbookSource({ runbookId, name, onEdit }: { runbookId: string; name: string; onEdit: ((source: string) => void) | null }) {
  const [source, setSource] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function load(): Promise<string | null> {
    if (source !== null) return source;
    setBusy(true);
    const result = await callApi<RunbookView & { source: string }>("GET", `/api/v1/runbooks/${encodeURIComponent(runbookId)}`);
    setBusy(false);
    if (!result.ok) {
      setProblem(result.error);
      return null;
    }
    setProblem(null);
    setSource(result.data.source);
    return result.data.source;
  }

  return (
    <div className="runbook-source">
      <div className="actions">
        <button type="button" onClick={() => void load().then((s) => s !== null && setShown(!shown))} disabled={busy} aria-expanded={shown}>
          {shown ? "Hide YAML" : "Show YAML"}
        </button>
        {onEdit && (
          <button type="button" onClick={() => void load().then((s) => s !== null && onEdit(s))} disabled={busy} aria-label={`Edit ${name} as a new version`}>
            Edit as a new version
          </button>
        )}
      </div>
      {shown && source !== null && <pre className="output-json">{source}</pre>}
      <ProblemBox problem={problem} />
    </div>
  );
}
