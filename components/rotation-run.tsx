"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import { ROTATION_ITEM_STEPS as ITEM_STEPS } from "@/lib/credentials/providers/provider";
import { formatUtc } from "@/lib/format";
import { incidentRef } from "@/lib/incidents/types";
import type { RotationItemView, RotationRunView } from "@/lib/rotation/views";
import { callApi } from "./api-client";
import { incidentQueries, rotationQueries } from "./queries";
import { ProblemBox, ShownOnce } from "./shown-once";
import { useAsk } from "./ui/dialog";

const STEP_LABEL: Record<RotationItemView["step"], string> = { revoke_old: "revoke old", create: "create", apply: "apply", verify: "verify", record: "record" };

export const RUN_STATUS_CLASS: Record<RotationRunView["status"], string> = { running: "state-running", succeeded: "state-done", failed: "state-failed" };
const ITEM_STATE_CLASS: Record<RotationItemView["state"], string> = {
  pending: "state-pending",
  running: "state-running",
  retrying: "sev-medium",
  rotated: "state-done",
  failed: "state-failed",
};

const unresolved = (item: RotationItemView) => item.state === "failed" && item.resolved_at === null;

type Revealed = { itemId: string; name: string; secret: string };

/**
 * One rotation run as it goes: each credential's step, state, attempts and last error, polled every
 * second while the run is going. A responder reveals each new secret once and resolves failures by hand.
 */
export function RotationRun({ initial, role }: { initial: RotationRunView; role: Role }) {
  const client = useQueryClient();
  const query = useQuery({
    ...rotationQueries.detail(initial.id),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.status === "running" ? 1_000 : false),
  });
  const run = query.data;
  const responds = roleAtLeast(role, "responder");
  const [revealed, setRevealed] = useState<Revealed[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const { dialog, ask } = useAsk();

  async function reveal(item: RotationItemView) {
    const answer = await ask({
      title: `Show the new secret of "${item.credential_name}"?`,
      message: "It is shown once: have the agent's secret store ready.",
      confirmLabel: "Show it once",
    });
    if (!answer) return;
    const result = await callApi<{ credential_id: string; name: string; secret: string }>(
      "POST",
      `/api/v1/rotations/${encodeURIComponent(run.id)}/items/${encodeURIComponent(item.id)}/reveal`,
    );
    void client.invalidateQueries({ queryKey: rotationQueries.detail(run.id).queryKey });
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    setRevealed((shown) => [...shown, { itemId: item.id, name: result.data.name, secret: result.data.secret }]);
  }

  function resolved(next: RotationRunView) {
    client.setQueryData(rotationQueries.detail(next.id).queryKey, next);
    void client.invalidateQueries({ queryKey: rotationQueries.all });
  }

  const failures = run.items.filter(unresolved);
  return (
    <>
      {dialog}
      <p className="incident-back">
        {run.incident_id !== null ? (
          <Link href={`/incidents/${run.incident_id}`}>← {incidentRef(run.incident_id)}</Link>
        ) : (
          <AgentLinks agentIds={run.agent_ids} back />
        )}
      </p>
      <h1>
        Credential rotation <span className="mono incident-ref">{run.id}</span>
      </h1>
      <p className="subtitle">
        {run.counts.rotated} of {run.counts.total} rotated
        {run.counts.failed > 0 && `, ${run.counts.failed} failed`}
        {run.status === "running" && (
          <>
            {" "}
            <span className="live" aria-live="off">
              live
            </span>
          </>
        )}
      </p>
      {query.isError && (
        <div className="notice" role="status">
          This page could not refresh ({query.error.message}). It shows the run as it was at {formatUtc(new Date(query.dataUpdatedAt).toISOString())}.
        </div>
      )}
      {failures.length > 0 && (
        <div className="banner-danger" role="alert">
          {failures.length} credential{failures.length === 1 ? "" : "s"} could not be rotated: the old secret may still work. Rotate{" "}
          {failures.length === 1 ? "it" : "them"} by hand, then resolve {failures.length === 1 ? "it" : "each"} below with a note.
        </div>
      )}
      <dl className="panel incident-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`badge ${RUN_STATUS_CLASS[run.status]}`} data-testid="rotation-status">
              {run.status}
            </span>
            {run.finished_at && <span className="muted">finished at {formatUtc(run.finished_at)}</span>}
          </dd>
        </div>
        <div>
          <dt>Requested</dt>
          <dd>
            by {run.requested_by} at {formatUtc(run.created_at)}
          </dd>
        </div>
        <div>
          <dt>Agents</dt>
          <dd>
            <AgentLinks agentIds={run.agent_ids} />
          </dd>
        </div>
        <div>
          <dt>Incident</dt>
          <dd>
            {run.incident_id !== null ? (
              <Link href={`/incidents/${run.incident_id}`}>{incidentRef(run.incident_id)}</Link>
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
        </div>
      </dl>
      <ProblemBox problem={problem} />
      {revealed.map((r) => (
        <div key={r.itemId} data-testid="revealed-secret">
          <ShownOnce
            title={`New secret of "${r.name}"`}
            hint="it will NOT be shown again, not even to you: put it in the agent's secret store now, before leaving this page"
            secret={r.secret}
          />
        </div>
      ))}
      <div className="panel">
        <table aria-label="Credentials in this rotation">
          <thead>
            <tr>
              <th scope="col">Credential</th>
              <th scope="col">Where</th>
              <th scope="col">Steps</th>
              <th scope="col">State</th>
              <th scope="col">Last error</th>
              <th scope="col">New secret</th>
              <th scope="col">Failure</th>
            </tr>
          </thead>
          <tbody>
            {run.items.map((item) => (
              <tr key={item.id} data-testid="rotation-item" data-state={item.state}>
                <td style={{ minWidth: 140 }}>
                  <strong>{item.credential_name}</strong>
                  <div className="muted">
                    {item.kind_label} ·{" "}
                    <Link className="mono" href={`/agents/${encodeURIComponent(item.agent_id)}`}>
                      {item.agent_id}
                    </Link>
                  </div>
                </td>
                <td className="mono" style={{ minWidth: 180, maxWidth: 240, wordBreak: "break-all" }}>
                  {item.location}
                </td>
                <td style={{ minWidth: 270 }}>
                  <StepProgress item={item} />
                </td>
                <td style={{ minWidth: 190 }}>
                  <ItemState item={item} />
                </td>
                <td style={{ minWidth: 220 }}>{item.last_error ? <p className="log-text">{item.last_error}</p> : <span className="muted">none</span>}</td>
                <td>
                  <NewSecret item={item} canReveal={responds} onReveal={() => void reveal(item)} />
                </td>
                <td>
                  {item.resolved_at ? (
                    <span>
                      Resolved by {item.resolved_by ?? "someone"} at {formatUtc(item.resolved_at)}
                      {item.resolution_note && <span className="step-note">: {item.resolution_note}</span>}
                    </span>
                  ) : unresolved(item) && responds ? (
                    <ResolveFailure runId={run.id} item={item} onResolved={resolved} />
                  ) : unresolved(item) ? (
                    <span className="muted">not resolved yet</span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function AgentLinks({ agentIds, back }: { agentIds: string[]; back?: boolean }) {
  return (
    <span className="mono">
      {agentIds.map((a, n) => (
        <span key={a}>
          {n > 0 && ", "}
          <Link href={`/agents/${encodeURIComponent(a)}`}>
            {back && "← "}
            {a}
          </Link>
        </span>
      ))}
    </span>
  );
}

/** revoke old → create → apply → verify → record, the steps behind done, the one being worked highlighted. */
function StepProgress({ item }: { item: RotationItemView }) {
  const at = ITEM_STEPS.indexOf(item.step);
  return (
    <ol aria-label={`Steps of ${item.credential_name}`} className="step-progress">
      {ITEM_STEPS.map((step, n) => {
        const done = item.state === "rotated" || n < at;
        const current = !done && n === at;
        const look = done
          ? "state-done"
          : !current
            ? "state-pending"
            : item.state === "failed"
              ? "state-failed"
              : item.state === "pending"
                ? "state-pending"
                : "state-running";
        return (
          <li key={step} aria-current={current ? "step" : undefined}>
            <span className={`badge ${look}`}>
              {done && "✓ "}
              {STEP_LABEL[step]}
            </span>
            {n < ITEM_STEPS.length - 1 && (
              <span className="muted" aria-hidden="true">
                →
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function ItemState({ item }: { item: RotationItemView }) {
  return (
    <>
      <span className={`badge ${ITEM_STATE_CLASS[item.state]}`} data-testid="rotation-item-state">
        {item.state}
      </span>
      <div className="muted">
        {item.state === "rotated" || item.attempts === 0 ? "" : `attempt ${item.attempts} at ${STEP_LABEL[item.step]}`}
        {item.state === "retrying" && item.next_attempt_at && <div>next attempt at {formatUtc(item.next_attempt_at)}</div>}
        {item.finished_at && item.state !== "failed" && <div>done at {formatUtc(item.finished_at)}</div>}
        {item.finished_at && item.state === "failed" && <div>gave up at {formatUtc(item.finished_at)}</div>}
      </div>
      <div>
        old secret refused:{" "}
        {item.old_refused === null ? (
          <span className="muted">{item.kind === "hmac_secret" ? "for the agents that check its signatures to say" : "unknown"}</span>
        ) : item.old_refused ? (
          "yes"
        ) : (
          <strong>no</strong>
        )}
      </div>
      {item.old_key_use && item.old_key_use.attempts > 0 && (
        <div className="step-error" role="note" data-testid="old-key-use">
          {item.old_key_use.attempts} request{item.old_key_use.attempts === 1 ? "" : "s"} refused since, with the key it revoked
          {item.old_key_use.last_at && `, last at ${formatUtc(item.old_key_use.last_at)}`}
        </div>
      )}
    </>
  );
}

function NewSecret({ item, canReveal, onReveal }: { item: RotationItemView; canReveal: boolean; onReveal: () => void }) {
  switch (item.new_secret) {
    case "ready_to_reveal":
      return canReveal ? (
        <button
          type="button"
          className="primary"
          onClick={onReveal}
          aria-label={`Reveal the new secret of ${item.credential_name}`}
          style={{ whiteSpace: "nowrap" }}
        >
          Reveal new secret
        </button>
      ) : (
        <span className="muted">ready: a responder can reveal it once</span>
      );
    case "revealed":
      return (
        <span className="muted">
          shown once to {item.revealed_by ?? "someone"}
          {item.revealed_at && ` at ${formatUtc(item.revealed_at)}`}
        </span>
      );
    case "delivered_by_provider":
      return <span className="muted">delivered by the secret manager</span>;
    case "superseded":
      return (
        <span className="muted">
          dead: rotated again by {item.superseded_by ? <Link href={`/rotations/${encodeURIComponent(item.superseded_by)}`}>a later run</Link> : "a later run"}{" "}
          before it was shown
        </span>
      );
    case "none":
      return <span className="muted">none was made</span>;
    case "not_yet":
      return <span className="muted">{item.state === "failed" ? "none to show" : "not yet"}</span>;
  }
}

/** A failed credential dealt with by hand: the note says how; it then leaves the incident's banner. */
function ResolveFailure({ runId, item, onResolved }: { runId: string; item: RotationItemView; onResolved: (run: RotationRunView) => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const note = String(new FormData(event.currentTarget).get("note") ?? "").trim();
    if (!note) return;
    setBusy(true);
    const result = await callApi<{ rotation: RotationRunView }>(
      "POST",
      `/api/v1/rotations/${encodeURIComponent(runId)}/items/${encodeURIComponent(item.id)}/resolve`,
      { note },
    );
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    setOpen(false);
    onResolved(result.data.rotation);
  }

  return (
    <>
      {open ? (
        <form className="reason-form" onSubmit={(e) => void submit(e)} aria-label={`Resolve failure: ${item.credential_name}`}>
          <label>
            How it was dealt with
            <input name="note" required maxLength={4000} placeholder="rotated by hand in the vault; old password dropped" size={36} />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Resolve"}
          </button>
          <button type="button" onClick={() => setOpen(false)} disabled={busy}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setOpen(true)} aria-label={`Resolve failure: ${item.credential_name}`}>
          Resolve failure
        </button>
      )}
      <ProblemBox problem={problem} />
    </>
  );
}

/**
 * A run in progress, where it was started (the incident's rotation step): how many are rotated, and
 * each credential not yet done with its step, state and last error, followed every second.
 */
export function RotationProgress({ rotationId }: { rotationId: string }) {
  const query = useQuery({
    ...rotationQueries.detail(rotationId),
    refetchInterval: (q) => (q.state.data?.status === "running" ? 1_000 : false),
  });
  const run = query.data;
  // A viewer may read the incident but not its runs: the link above is then all there is.
  if (!run) return null;
  const open = run.items.filter((i) => i.state !== "rotated");
  return (
    <div data-testid="rotation-progress">
      <span>
        {run.counts.rotated} of {run.counts.total} rotated
        {run.counts.failed > 0 && `, ${run.counts.failed} failed`}
      </span>
      {open.length > 0 && (
        <ul className="output-list" aria-label="Credentials still being rotated">
          {open.map((item) => (
            <li key={item.id}>
              “{item.credential_name}” ({item.kind_label}): <span className={`badge ${ITEM_STATE_CLASS[item.state]}`}>{item.state}</span> at{" "}
              {STEP_LABEL[item.step]}
              {item.attempts > 1 && `, attempt ${item.attempts}`}
              {item.state === "retrying" && item.next_attempt_at && `, next at ${formatUtc(item.next_attempt_at)}`}
              {item.last_error && <span className="muted"> · {item.last_error}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * The top of an incident's page while any credential of it (from its runs, or any run over its agents)
 * failed to rotate and nobody has dealt with it yet: the old secret may still work. Each links to its
 * run and can be resolved from here.
 */
export function RotationFailuresBanner({ incidentId, role }: { incidentId: number; role: Role }) {
  const client = useQueryClient();
  const query = useQuery({
    ...rotationQueries.incidentFailures(incidentId),
    enabled: roleAtLeast(role, "analyst"),
    refetchInterval: 2_000,
  });
  const failures = query.data ?? [];
  if (failures.length === 0) return null;

  function resolved(run: RotationRunView) {
    client.setQueryData(rotationQueries.detail(run.id).queryKey, run);
    void client.invalidateQueries({ queryKey: rotationQueries.all });
    void client.invalidateQueries({ queryKey: incidentQueries.detail(incidentId).queryKey });
  }

  return (
    <section className="banner-danger" aria-label="Failed credential rotations" data-testid="rotation-failures">
      <div role="alert">
        {failures.length} credential{failures.length === 1 ? "" : "s"} of this incident could not be rotated: the old secret may still work. Rotate by hand,
        then resolve with a note.
      </div>
      <ul className="output-list">
        {failures.map((item) => (
          <li key={item.id}>
            “{item.credential_name}” ({item.kind_label}, <span className="mono">{item.agent_id}</span>) failed at {STEP_LABEL[item.step]}
            {item.last_error && <>: {item.last_error}</>} · <Link href={`/rotations/${item.rotation_id}`}>rotation run</Link>{" "}
            {roleAtLeast(role, "responder") && <ResolveFailure runId={item.rotation_id} item={item} onResolved={resolved} />}
          </li>
        ))}
      </ul>
    </section>
  );
}
