"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/format";
import { type ActivityView, DANGEROUS_ACTIONS, type IncidentStatus, type IncidentView, incidentRef, type StepView } from "@/lib/incidents/types";
import { callApi } from "./api-client";
import { EscalationPath } from "./incident/escalation-path";
import { AgentKillControl } from "./kill-switch-controls";
import { RotationProgress } from "./rotation-run";
import { ProblemBox } from "./shown-once";
import { Button } from "./ui/button";
import { ConfirmButton } from "./ui/dialog";

const STATUS_ORDER: readonly IncidentStatus[] = ["open", "contained", "eradicated", "recovered", "closed"];
/** Posts one change; returns the server's sentence when it refused, or null when the page already shows the result. */
type Act = (method: "POST" | "PUT", path: string, body?: unknown) => Promise<string | null>;

const incidentKey = (id: number) => ["incidents", "detail", id] as const;

async function fetchIncident(id: number): Promise<IncidentView> {
  const result = await callApi<IncidentView>("GET", `/api/v1/incidents/${id}`);
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

function useIncidentAction(incidentId: number): Act {
  const client = useQueryClient();
  return useCallback(
    async (method, path, body) => {
      const result = await callApi<{ incident: IncidentView }>(method, `/api/v1/incidents/${incidentId}${path}`, body);
      void client.invalidateQueries({ queryKey: ["incidents", "list"] });
      if (!result.ok) {
        // Usually someone else got there first (409): show them what the incident is now.
        void client.invalidateQueries({ queryKey: incidentKey(incidentId) });
        return result.error;
      }
      // A poll started before the change must not paint the old state over the answer.
      await client.cancelQueries({ queryKey: incidentKey(incidentId) });
      client.setQueryData(incidentKey(incidentId), result.data.incident);
      return null;
    },
    [client, incidentId],
  );
}

/**
 * One incident as the runbook it follows: header and status, escalation path, the steps by phase with
 * their controls, the activity timeline and the post-incident notes. Polled every 5 s so responders
 * working the same incident see each other's progress. Every text from the incident is plain React text.
 */
export function IncidentRunbook({ incidentId, role, myActorId }: { incidentId: number; role: Role; myActorId: string }) {
  const query = useQuery({
    queryKey: incidentKey(incidentId),
    queryFn: () => fetchIncident(incidentId),
    // A step waiting on work it started (a credential rotation) is followed every second until it ends.
    refetchInterval: (q) => (q.state.data && hasWaitingStep(q.state.data) ? 1_000 : 5_000),
  });
  const act = useIncidentAction(incidentId);
  const incident = query.data;

  if (!incident) {
    return (
      <>
        <h1 className="mono">{incidentRef(incidentId)}</h1>
        {query.isError ? <ProblemBox problem={`The incident could not be loaded: ${query.error.message}`} /> : <p className="empty">Loading…</p>}
        <p>
          <Link href="/incidents">← All incidents</Link>
        </p>
      </>
    );
  }

  const closed = incident.status === "closed";
  const responds = roleAtLeast(role, "responder");
  return (
    <>
      {query.isError && (
        <div className="notice" role="status">
          This page could not refresh ({query.error.message}). It shows the incident as it was at {formatUtc(new Date(query.dataUpdatedAt).toISOString())}.
        </div>
      )}
      <IncidentHeader incident={incident} role={role} myActorId={myActorId} act={act}>
        <Containment incident={incident} role={role} />
      </IncidentHeader>
      <EscalationPath incident={incident} canPage={responds && !closed} act={act} />
      <section className="incident-section" aria-labelledby="steps-title">
        <h2 id="steps-title">Runbook steps</h2>
        {closed && <p className="muted">The incident is closed: its steps are kept as they were.</p>}
        {incident.phases.map((phase) => (
          <Phase key={phase.key} phaseKey={phase.key} title={phase.title} steps={phase.steps} canAct={responds && !closed} act={act} />
        ))}
      </section>
      <Activity activity={incident.activity} canComment={roleAtLeast(role, "analyst")} act={act} />
      <PostIncidentNotes notes={incident.post_incident_notes} canEdit={responds} act={act} />
    </>
  );
}

/** First on the page: the incident's agents with their live kill state, and Kill (asking for a reason) for responders. */
function Containment({ incident, role }: { incident: IncidentView; role: Role }) {
  return (
    <section className="panel containment" aria-labelledby="containment-title">
      <h2 id="containment-title">Containment</h2>
      <ul className="containment-agents" aria-label="Agents in this incident">
        {incident.agent_ids.map((agentId) => (
          <li key={agentId}>
            <Link className="mono" href={`/agents/${encodeURIComponent(agentId)}`}>
              {agentId}
            </Link>
            <AgentKillControl agentId={agentId} role={role} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function hasWaitingStep(incident: IncidentView): boolean {
  return incident.phases.some((p) => p.steps.some((s) => s.state === "running" && s.action === "rotate_credentials"));
}

function IncidentHeader({
  incident,
  role,
  myActorId,
  act,
  children,
}: {
  incident: IncidentView;
  role: Role;
  myActorId: string;
  act: Act;
  /** Shown under the title, before the facts: containment comes first. */
  children: ReactNode;
}) {
  const responds = roleAtLeast(role, "responder");
  const closed = incident.status === "closed";
  const mine = incident.owner.id === myActorId;
  return (
    <header className="incident-head">
      <p className="incident-back">
        <Link href="/incidents">← All incidents</Link>
      </p>
      <h1>
        <span className="mono incident-ref">{incident.ref}</span> {incident.title}
      </h1>
      <p className="subtitle">
        <span className={`badge sev-${incident.severity}`}>{incident.severity}</span>
        Opened by {incident.opened_by} at {formatUtc(incident.opened_at)}
        {incident.closed_at && <> · closed at {formatUtc(incident.closed_at)}</>} · {incident.steps_done} of {incident.steps_total} steps done{" "}
        <span className="live" aria-live="off">
          live
        </span>
      </p>
      {children}
      <dl className="panel incident-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`badge incident-${incident.status}`}>{incident.status}</span>
            {responds && <StatusControls status={incident.status} isAdmin={roleAtLeast(role, "admin")} act={act} />}
          </dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>
            {incident.owner.name}
            {mine && <span className="muted"> (you)</span>}
            {responds && !closed && !mine && <TakeOwnership act={act} />}
          </dd>
        </div>
        <div>
          <dt>Agents</dt>
          <dd>
            <LinkList items={incident.agent_ids} href={(a) => `/agents/${encodeURIComponent(a)}`} />
          </dd>
        </div>
        <div>
          <dt>Sessions</dt>
          <dd>
            <LinkList items={incident.session_ids} href={(s) => `/sessions/${encodeURIComponent(s)}`} />
          </dd>
        </div>
        <div>
          <dt>Alerts</dt>
          <dd>
            <LinkList items={incident.alert_ids.map(String)} href={(a) => `/alerts?alert=${encodeURIComponent(a)}`} label={(a) => `#${a}`} />
          </dd>
        </div>
        <div>
          <dt>Runbook</dt>
          <dd>
            <Link href="/runbooks">{incident.runbook.name}</Link> <span className="muted">version {incident.runbook.version}</span>
          </dd>
        </div>
      </dl>
    </header>
  );
}

function LinkList({ items, href, label }: { items: string[]; href: (item: string) => string; label?: (item: string) => string }) {
  if (items.length === 0) return <span className="muted">none</span>;
  return (
    <span className="mono">
      {items.map((item, n) => (
        <span key={item}>
          {n > 0 && ", "}
          <Link href={href(item)}>{label ? label(item) : item}</Link>
        </span>
      ))}
    </span>
  );
}

/** One control for the status: pick where it goes next, add a note, save. */
function StatusControls({ status, isAdmin, act }: { status: IncidentStatus; isAdmin: boolean; act: Act }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const next: IncidentStatus[] =
    status === "closed" ? (isAdmin ? ["open"] : []) : STATUS_ORDER.slice(STATUS_ORDER.indexOf(status) + 1).filter((s) => s !== "closed" || isAdmin);

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

  if (next.length === 0) return null;
  return (
    <form className="status-controls status-select" aria-label="Change status" onSubmit={(e) => void submit(e)}>
      <label>
        <span className="muted">Move to</span>{" "}
        <select name="status" defaultValue={next[0]}>
          {next.map((s) => (
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
      <ProblemBox problem={problem} />
    </form>
  );
}

function TakeOwnership({ act }: { act: Act }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function take() {
    setBusy(true);
    setProblem(await act("POST", "/owner"));
    setBusy(false);
  }
  return (
    <>
      {" "}
      <button type="button" onClick={() => void take()} disabled={busy}>
        {busy ? "Taking…" : "Take ownership"}
      </button>
      <ProblemBox problem={problem} />
    </>
  );
}

function Phase({ phaseKey, title, steps, canAct, act }: { phaseKey: string; title: string; steps: StepView[]; canAct: boolean; act: Act }) {
  const ordered = [...steps].sort((a, b) => a.position - b.position);
  const done = ordered.filter((s) => s.state === "done").length;
  const skipped = ordered.filter((s) => s.state === "skipped").length;
  const headingId = `phase-${phaseKey}`;
  return (
    <section className="panel phase" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {title}{" "}
        <span className="muted phase-progress">
          {done}/{ordered.length} done{skipped > 0 && `, ${skipped} skipped`}
        </span>
      </h3>
      <ol className="steps" aria-label={title}>
        {ordered.map((step) => (
          <Step key={step.step_id} step={step} canAct={canAct} act={act} />
        ))}
      </ol>
    </section>
  );
}

function Step({ step, canAct, act }: { step: StepView; canAct: boolean; act: Act }) {
  const [mode, setMode] = useState<"complete" | "skip" | null>(null);
  const [busy, setBusy] = useState<"run" | "complete" | "skip" | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // A run that has said nothing for 10 minutes died with its process: the server lets it be run again.
  const stale = step.state === "running" && step.started_at !== null && Date.now() - Date.parse(step.started_at) > 10 * 60_000;
  const failed = step.state === "failed" || stale;
  const actionable = canAct && (step.state === "pending" || failed);
  const dangerous = step.action !== null && DANGEROUS_ACTIONS.includes(step.action);

  async function send(verb: "run" | "complete" | "skip", body?: Record<string, string>) {
    setBusy(verb);
    const error = await act("POST", `/steps/${encodeURIComponent(step.step_id)}/${verb}`, body);
    setBusy(null);
    setProblem(error);
    if (!error) setMode(null);
  }

  return (
    <li className={`step${step.overdue ? " step-overdue" : ""}${dangerous && actionable ? " step-danger" : ""}`} id={`step-${step.step_id}`}>
      <div className="step-head">
        <span className="step-title">{step.title}</span>
        <span className={`badge kind-${step.kind}`}>{step.kind}</span>
        <span className={`badge state-${step.state}`}>{step.state}</span>
        {step.timeout_text && <span className="muted">within {step.timeout_text}</span>}
        {step.overdue && <span className="badge overdue">overdue</span>}
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
      {failed && step.error && !rotationSummarised(step) && <p className="step-error">Failed: {step.error}</p>}
      {step.output && <StepOutput action={step.action} output={step.output} />}
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
      {actionable && mode === null && (
        <div className="actions">
          {step.kind === "automated" &&
            (dangerous ? (
              <ConfirmButton
                danger
                variant="danger"
                disabled={busy !== null}
                ariaLabel={`${failed ? "Retry" : "Run"}: ${step.title}`}
                title={`${step.title}?`}
                message={
                  step.action === "kill_agent"
                    ? "The incident's agents stop at once; reviving them needs an admin."
                    : "The agents' credentials are replaced; whatever holds the old ones stops working."
                }
                confirmLabel={failed ? "Retry" : "Run"}
                onConfirm={() => act("POST", `/steps/${encodeURIComponent(step.step_id)}/run`)}
              >
                {failed ? "Retry" : "Run"}
              </ConfirmButton>
            ) : (
              <Button
                variant="primary"
                onClick={() => void send("run")}
                busy={busy === "run"}
                busyLabel="Running…"
                disabled={busy !== null}
                aria-label={`${failed ? "Retry" : "Run"}: ${step.title}`}
              >
                {failed ? "Retry" : "Run"}
              </Button>
            ))}
          {(step.kind !== "automated" || failed) && (
            <button
              type="button"
              className={step.kind === "automated" ? undefined : "primary"}
              onClick={() => setMode("complete")}
              disabled={busy !== null}
              aria-label={`${step.kind === "automated" ? "Mark done by hand" : "Mark done"}: ${step.title}`}
            >
              {step.kind === "automated" ? "Mark done by hand" : "Mark done"}
            </button>
          )}
          <button type="button" onClick={() => setMode("skip")} disabled={busy !== null} aria-label={`Skip: ${step.title}`}>
            Skip
          </button>
        </div>
      )}
      {actionable && mode === "complete" && (
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
      {actionable && mode === "skip" && (
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
      <ProblemBox problem={problem} />
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

function NoteForm({
  formLabel,
  fieldLabel,
  placeholder,
  required,
  submitLabel,
  busy,
  onSubmit,
  onCancel,
}: {
  formLabel: string;
  fieldLabel: string;
  placeholder: string;
  required: boolean;
  submitLabel: string;
  busy: boolean;
  onSubmit: (text: string) => Promise<void>;
  onCancel: () => void;
}) {
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void onSubmit(String(new FormData(event.currentTarget).get("text") ?? "").trim());
  }
  return (
    <form className="reason-form" onSubmit={submit} aria-label={formLabel}>
      <label>
        {fieldLabel}
        <input name="text" required={required} maxLength={4000} placeholder={placeholder} size={48} />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Saving…" : submitLabel}
      </button>
      <button type="button" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
    </form>
  );
}

function CommandBlock({ command, title }: { command: string; title: string }) {
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const timer = setTimeout(() => setCopied(null), 4_000);
    return () => clearTimeout(timer);
  }, [copied]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(command);
      setCopied("copied");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <div className="command-block">
      <pre>
        <code>{command}</code>
      </pre>
      <div className="command-tools">
        <button type="button" onClick={() => void copy()} aria-label={`Copy command: ${title}`}>
          Copy
        </button>
        <span role="status" className="copy-state">
          {copied === "copied" ? "copied" : copied === "failed" ? "The browser refused to copy: select the command and copy it by hand" : ""}
        </span>
      </div>
    </div>
  );
}

// What automated steps produced. The shapes are read defensively: anything unexpected falls back to the JSON.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : null;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Only the console's own download paths become links: output is data, never a place to send the browser. */
function consoleLink(value: unknown): string | null {
  const href = str(value);
  return href?.startsWith("/api/v1/") ? href : null;
}

function agentOf(value: unknown): string | null {
  return str(value) ?? (isRecord(value) ? str(value.agent_id) : null);
}

function sessionHref(sessionId: string, agentId: string | null, eventId?: string | null): string {
  const query = agentId ? `?${new URLSearchParams({ agent: agentId })}` : "";
  return `/sessions/${encodeURIComponent(sessionId)}${query}${eventId ? `#event-${eventId}` : ""}`;
}

function RawOutput({ output, open }: { output: Record<string, unknown>; open?: boolean }) {
  const json = JSON.stringify(output, null, 2);
  if (open) return <pre className="output-json">{json}</pre>;
  return (
    <details className="raw-output">
      <summary>Raw output</summary>
      <pre className="output-json">{json}</pre>
    </details>
  );
}

/** The readable form of an output whose shape is the expected one, or null (the JSON is shown instead). */
function readableOutput(action: StepView["action"], output: Record<string, unknown>): ReactNode | null {
  switch (action) {
    case "snapshot":
      return snapshotOutput(output);
    case "trace_communications":
      return tracesOutput(output);
    case "kill_agent":
      return killedOutput(output);
    case "build_timeline":
      return timelineOutput(output);
    case "rotate_credentials":
      return rotationOutput(output);
    default:
      return null;
  }
}

function StepOutput({ action, output }: { action: StepView["action"]; output: Record<string, unknown> }) {
  const readable = readableOutput(action, output);
  return (
    <div className="step-output">
      {readable ?? <RawOutput output={output} open />}
      {readable && <RawOutput output={output} />}
    </div>
  );
}

function snapshotOutput(output: Record<string, unknown>): ReactNode | null {
  const snapshots = records(output.snapshots);
  if (snapshots.length === 0) return Array.isArray(output.snapshots) ? <p>No snapshot was taken.</p> : null;
  return (
    <ul className="output-list" aria-label="Snapshots taken">
      {snapshots.map((s, n) => {
        const sessionId = str(s.session_id);
        const agentId = str(s.agent_id);
        const snapshotId = str(s.snapshot_id) ?? String(n + 1);
        const links = isRecord(s.links) ? s.links : {};
        const ndjson = consoleLink(links.ndjson);
        const manifest = consoleLink(links.manifest);
        return (
          <li key={snapshotId}>
            Snapshot of session{" "}
            {sessionId ? (
              <Link className="mono" href={sessionHref(sessionId, agentId)}>
                {sessionId}
              </Link>
            ) : (
              "?"
            )}
            {agentId && <span className="muted"> ({agentId})</span>}:{" "}
            {ndjson && (
              <a href={ndjson} download aria-label={`Download the NDJSON of snapshot ${snapshotId}`}>
                NDJSON
              </a>
            )}
            {ndjson && manifest && " · "}
            {manifest && (
              <a href={manifest} download aria-label={`Download the signed manifest of snapshot ${snapshotId}`}>
                manifest
              </a>
            )}
            {!ndjson && !manifest && <span className="muted">no download link</span>}
          </li>
        );
      })}
    </ul>
  );
}

function counts(side: unknown): string | null {
  if (!isRecord(side)) return null;
  const own = str(side.reported_by_agent);
  const peer = str(side.reported_by_peer);
  if (own === null && peer === null) return null;
  return peer === null || peer === own ? own : `${own ?? "?"} (peer says ${peer})`;
}

function tracesOutput(output: Record<string, unknown>): ReactNode | null {
  // One trace per agent of the incident; an output that is itself one trace is read the same way.
  const traces = Array.isArray(output.traces) ? records(output.traces) : [output];
  if (!traces.some((t) => Array.isArray(t.peers))) return null;
  return (
    <>
      {traces.map((trace, n) => (
        <PeersOutput key={str(trace.agent_id) ?? n} output={trace} />
      ))}
    </>
  );
}

function PeersOutput({ output }: { output: Record<string, unknown> }) {
  if (!Array.isArray(output.peers)) return null;
  const self = str(output.agent_id);
  const subject = self ?? "it";
  const since = str(output.since);
  if (output.peers.length === 0) {
    return (
      <p>
        No other agent exchanged messages with {subject}
        {since ? ` since ${formatUtc(since)}` : ""}.
      </p>
    );
  }
  return (
    <>
      <p>
        {output.peers.length} other agent{output.peers.length === 1 ? "" : "s"} exchanged messages with {subject}
        {since ? ` since ${formatUtc(since)}` : ""}:
      </p>
      <ul className="output-list" aria-label={`Agents that exchanged messages with ${subject}`}>
        {output.peers.map((peer, n) => {
          const agentId = agentOf(peer);
          const sent = isRecord(peer) ? counts(peer.sent) : null;
          const received = isRecord(peer) ? counts(peer.received) : null;
          return (
            <li key={agentId ?? n}>
              {agentId ? (
                <Link className="mono" href={`/agents/${encodeURIComponent(agentId)}`}>
                  {agentId}
                </Link>
              ) : (
                <span className="mono">{JSON.stringify(peer)}</span>
              )}
              {sent !== null && ` · sent ${sent}`}
              {received !== null && ` · received ${received}`}
            </li>
          );
        })}
      </ul>
    </>
  );
}

function killedOutput(output: Record<string, unknown>): ReactNode | null {
  if (!Array.isArray(output.killed)) return null;
  const agents = output.killed.map(agentOf).filter((a): a is string => a !== null);
  if (agents.length === 0) return <p>No agent was killed.</p>;
  return (
    <p>
      Kill switch set for{" "}
      {agents.map((a, n) => (
        <span key={a}>
          {n > 0 && ", "}
          <Link className="mono" href={`/agents/${encodeURIComponent(a)}`}>
            {a}
          </Link>
        </span>
      ))}
      .
    </p>
  );
}

const humanKey = (key: string) => key.replace(/_/g, " ");

function timelineOutput(output: Record<string, unknown>): ReactNode | null {
  if (Array.isArray(output.timelines) && output.timelines.length === 0) return <p>No session of the incident could be analysed.</p>;
  const nested = records(output.timelines);
  const entries = nested.length > 0 ? nested : "injection_point" in output ? [output] : [];
  if (entries.length === 0) return null;
  return (
    <ul className="output-list" aria-label="Timelines built">
      {entries.map((entry, n) => (
        <TimelineEntry key={str(entry.session_id) ?? n} entry={entry} />
      ))}
    </ul>
  );
}

function TimelineEntry({ entry }: { entry: Record<string, unknown> }) {
  const sessionId = str(entry.session_id);
  const agentId = str(entry.agent_id);
  const point = entry.injection_point;
  const tally = Object.entries(entry).flatMap(([key, value]) =>
    typeof value === "number"
      ? [`${humanKey(key)}: ${value}`]
      : Array.isArray(value) && key !== "preceding_events"
        ? [`${humanKey(key)}: ${value.length}`]
        : [],
  );
  const eventId = isRecord(point) ? str(point.event_id) : null;
  const timestamp = isRecord(point) ? str(point.timestamp) : null;
  const reason = isRecord(point) ? str(point.reason) : null;
  return (
    <li>
      {sessionId && (
        <>
          Session{" "}
          <Link className="mono" href={sessionHref(sessionId, agentId)}>
            {sessionId}
          </Link>
          {agentId && <span className="muted"> ({agentId})</span>}:{" "}
        </>
      )}
      {isRecord(point) ? (
        <>
          likely injection point{" "}
          {eventId && sessionId ? (
            <Link className="mono" href={sessionHref(sessionId, agentId, eventId)}>
              {eventId}
            </Link>
          ) : (
            <span className="mono">{eventId ?? "?"}</span>
          )}
          {timestamp && ` at ${formatUtc(timestamp)}`}
          {reason && `: ${reason}`}
        </>
      ) : point === null ? (
        "no injection point could be placed"
      ) : null}
      {tally.length > 0 && <div className="muted">{tally.join(" · ")}</div>}
    </li>
  );
}

/** A finished rotation's output lists each failure and why: the step's error would only say it again. */
function rotationSummarised(step: StepView): boolean {
  return step.action === "rotate_credentials" && Array.isArray(step.output?.failed);
}

function rotationOutput(output: Record<string, unknown>): ReactNode | null {
  if (Array.isArray(output.already_rotated)) {
    return (
      <div>
        Every credential it covers was already rotated under this incident:
        <ul className="output-list" aria-label="Credentials already rotated">
          {records(output.already_rotated).map((r, n) => (
            <li key={str(r.credential_id) ?? n}>
              “{str(r.name) ?? "?"}” ({str(r.agent_id) ?? "?"})
              {str(r.rotation_id) && (
                <>
                  {" "}
                  · <Link href={`/rotations/${encodeURIComponent(str(r.rotation_id) ?? "")}`}>rotation run</Link>
                </>
              )}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const rotationId = str(output.rotation_id);
  if (!rotationId) return null;
  const href = `/rotations/${encodeURIComponent(rotationId)}`;
  if (!Array.isArray(output.rotated) || !Array.isArray(output.failed)) {
    return (
      <>
        <p>
          Rotating the credentials: <Link href={href}>follow the rotation run</Link>.
        </p>
        <RotationProgress rotationId={rotationId} />
      </>
    );
  }
  const failed = records(output.failed);
  return (
    <>
      <p>
        {output.rotated.length} credential{output.rotated.length === 1 ? "" : "s"} rotated, {output.failed.length} failed ·{" "}
        <Link href={href}>rotation run</Link>
      </p>
      {failed.length > 0 && (
        <div className="step-error">
          Not rotated: the old secret may still work.
          <ul className="output-list" aria-label="Credentials not rotated">
            {failed.map((f, n) => (
              <li key={str(f.credential_id) ?? n}>
                “{str(f.name) ?? "?"}” ({str(f.agent_id) ?? "?"}) failed at {str(f.step) ?? "?"}
                {typeof f.attempts === "number" && ` after ${f.attempts} attempt${f.attempts === 1 ? "" : "s"}`}: {str(f.error) ?? "no reason recorded"}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

function Activity({ activity, canComment, act }: { activity: ActivityView[]; canComment: boolean; act: Act }) {
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
              <time className="time" dateTime={a.at}>
                {formatUtc(a.at)}
              </time>
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
            <button type="submit" className="primary" disabled={busy || !text.trim()}>
              {busy ? "Adding…" : "Add comment"}
            </button>
          </div>
          <ProblemBox problem={problem} />
        </form>
      )}
    </section>
  );
}

function PostIncidentNotes({ notes, canEdit, act }: { notes: string; canEdit: boolean; act: Act }) {
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
            <button type="submit" className="primary" disabled={busy || draft === null}>
              {busy ? "Saving…" : "Save notes"}
            </button>
            {draft && (
              <button type="button" onClick={() => setDraft(null)} disabled={busy}>
                Discard changes
              </button>
            )}
            <span role="status" className="muted">
              {saved ? "Saved." : draft ? "Unsaved changes." : ""}
            </span>
          </div>
          <ProblemBox problem={problem} />
        </form>
      )}
    </section>
  );
}
