"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { z } from "zod";
import { formatUtc } from "@/lib/format";
import type { RunbookView } from "@/lib/incidents/types";
import type { RunbookError } from "@/lib/runbooks";
import { runbookQueries } from "./queries";
import { Button } from "./ui/button";
import { Field, Form } from "./ui/form";
import { Notice } from "./ui/notice";

const RUNBOOKS_KEY = runbookQueries.list().queryKey;

/** A refused upload: the sentence, and each problem by line and column of the YAML. */
class UploadProblem extends Error {
  constructor(
    message: string,
    readonly errors: RunbookError[],
  ) {
    super(message);
  }
}

const uploadForm = z.object({ yaml: z.string().refine((yaml) => yaml.trim() !== "", "yaml: paste a runbook first") });

type UploadBody = RunbookView | { error?: { message?: string; errors?: unknown } };

function isRunbookError(value: unknown): value is RunbookError {
  return typeof value === "object" && value !== null && "line" in value && "message" in value;
}

/** The runbook API takes the YAML itself, not JSON, so this is the one call that does not go through callApi (nor useAction). */
async function uploadRunbook(yaml: string): Promise<RunbookView> {
  let res: Response;
  try {
    res = await fetch("/api/v1/runbooks", { method: "POST", headers: { "content-type": "application/yaml" }, body: yaml });
  } catch {
    throw new UploadProblem("The console did not answer; nothing was saved", []);
  }
  const body: UploadBody | null = await res.json().catch(() => null);
  if (res.ok && body && "name" in body) return body;
  const error = body && "error" in body ? body.error : undefined;
  const errors = Array.isArray(error?.errors) ? error.errors.filter(isRunbookError) : [];
  if (errors.length > 0) throw new UploadProblem(`The runbook was not saved: ${errors.length} problem${errors.length === 1 ? "" : "s"}.`, errors);
  throw new UploadProblem(error?.message ?? `The console answered ${res.status}; nothing was saved`, []);
}

function formatError(e: RunbookError): string {
  return `line ${e.line}, column ${e.column}${e.path ? `, ${e.path}` : ""}: ${e.message}`;
}

/** Every runbook's latest version, readable by all; admins paste YAML to add a runbook or a new version of one. */
export function RunbooksAdmin({ canUpload }: { canUpload: boolean }) {
  const client = useQueryClient();
  const query = useQuery(runbookQueries.list());
  const [yaml, setYaml] = useState("");
  const editor = useRef<HTMLDivElement>(null);
  const upload = useMutation<RunbookView, UploadProblem, z.output<typeof uploadForm>>({
    mutationFn: ({ yaml }) => uploadRunbook(yaml),
    onSuccess: () => client.invalidateQueries({ queryKey: RUNBOOKS_KEY }),
  });
  const action = {
    run: async (body: z.output<typeof uploadForm>) => {
      try {
        await upload.mutateAsync(body);
        return null;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
    busy: upload.isPending,
    fields: {},
  };

  function edit(source: string) {
    setYaml(source);
    upload.reset();
    const textarea = editor.current?.querySelector("textarea");
    textarea?.scrollIntoView({ block: "center" });
    textarea?.focus();
  }

  const runbooks = query.data;
  return (
    <>
      <Notice kind="error">{query.isError ? `Runbooks could not be loaded: ${query.error.message}` : null}</Notice>
      {!runbooks ? (
        !query.isError && <p className="empty">Loading…</p>
      ) : runbooks.length === 0 ? (
        <p className="panel empty">No runbook yet.</p>
      ) : (
        runbooks.map((r) => <RunbookCard key={r.id} runbook={r} onEdit={canUpload ? edit : null} />)
      )}
      {canUpload && (
        <Form
          schema={uploadForm}
          action={action}
          submitLabel="Upload"
          busyLabel="Uploading…"
          className="panel incident-section padded runbook-upload"
          aria-label="Upload a runbook"
        >
          <h2>Add a runbook or a new version</h2>
          <p className="muted">
            One top-level key, the runbook&apos;s name, holding severity, escalation_path and its phases of steps. A name that exists already gets a new
            version; incidents already open keep the version they started with.
          </p>
          <div ref={editor}>
            <Field
              as="textarea"
              label="Paste runbook YAML"
              name="yaml"
              value={yaml}
              onChange={(e) => setYaml(e.target.value)}
              rows={18}
              spellCheck={false}
              placeholder={'my_runbook:\n  severity: high\n  escalation_path: [oncall_engineer]\n  immediate_actions:\n    - step: "…"'}
            />
          </div>
          {upload.data && !upload.isPending && (
            <p role="status" className="notice">
              Saved {upload.data.name} version {upload.data.version}.
            </p>
          )}
          {upload.error && upload.error.errors.length > 0 && (
            <ul className="upload-errors" aria-label="Problems in the runbook">
              {upload.error.errors.map((e, n) => (
                <li key={n}>{formatError(e)}</li>
              ))}
            </ul>
          )}
        </Form>
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
  const client = useQueryClient();
  const [shown, setShown] = useState(false);
  const source = useQuery({ ...runbookQueries.source(runbookId), enabled: shown });
  const editSource = useMutation({
    mutationFn: () => client.fetchQuery(runbookQueries.source(runbookId)),
    onSuccess: (runbook) => onEdit?.(runbook.source),
  });
  const busy = source.isFetching || editSource.isPending;
  const problem = (shown && source.error) || editSource.error;

  return (
    <div className="runbook-source">
      <div className="actions">
        <Button onClick={() => setShown(!shown)} disabled={busy} aria-expanded={shown}>
          {shown ? "Hide YAML" : "Show YAML"}
        </Button>
        {onEdit && (
          <Button onClick={() => editSource.mutate()} disabled={busy} aria-label={`Edit ${name} as a new version`}>
            Edit as a new version
          </Button>
        )}
      </div>
      {shown && source.data && <pre className="output-json">{source.data.source}</pre>}
      <Notice kind="error">{problem ? problem.message : null}</Notice>
    </div>
  );
}
