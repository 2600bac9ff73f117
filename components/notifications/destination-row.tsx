"use client";

import { type FormEvent, useState } from "react";
import { SEVERITIES } from "@/lib/detect/types";
import { formatUtc } from "@/lib/format";
import type { DestinationView } from "@/lib/notify/views";
import { callApi } from "../api-client";
import { CHANGE_LABEL, KIND_LABEL, type Shown } from "./labels";

type Mode = "edit" | "disable" | "rotate" | "delete" | null;

export function DestinationRow({
  destination: d,
  onProblem,
  onShown,
  onChanged,
}: {
  destination: DestinationView;
  onProblem: (problem: string | null) => void;
  onShown: (shown: Shown | null) => void;
  onChanged: () => Promise<void>;
}) {
  const [mode, setMode] = useState<Mode>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const base = `/api/v1/notifications/destinations/${encodeURIComponent(d.id)}`;

  /** Runs one call; the error, if any, is returned for the form that asked, and shown at the top too. */
  async function run<T>(method: string, url: string, body: unknown, done: (data: T) => void): Promise<string | null> {
    setBusy(true);
    const result = await callApi<T>(method, url, body);
    setBusy(false);
    if (!result.ok) {
      onProblem(result.error);
      return result.error;
    }
    onProblem(null);
    done(result.data);
    await onChanged();
    return null;
  }

  const sendTest = () => void run<{ delivery_id: number }>("POST", `${base}/test`, {}, (r) => setNote(`Test queued as delivery #${r.delivery_id}`));
  const enable = () => void run("PATCH", base, { enabled: true }, () => setNote("Enabled"));
  const disable = (reason: string) => run("PATCH", base, { enabled: false, reason }, () => setMode(null));
  const remove = (reason: string) => run("DELETE", base, { reason }, () => setMode(null));
  const rotate = (reason: string) =>
    run<{ signing_key: string; signing_key_version: number }>("POST", `${base}/rotate-key`, { reason }, (r) => {
      setMode(null);
      onShown({ title: `New signing key (version ${r.signing_key_version}) for ${d.name}`, hint: "the old key stops working now", secret: r.signing_key });
    });

  return (
    <>
      <tr>
        <td>{d.name}</td>
        <td>
          {KIND_LABEL[d.kind]}
          {d.kind === "json" && <div className="time">key version {d.signing_key_version}</div>}
        </td>
        <td className="mono">{d.url_hint}</td>
        <td>
          <span className={`badge sev-${d.min_severity}`}>{d.min_severity}</span> and above
        </td>
        <td>{d.enabled ? <span className="badge alive">enabled</span> : <span className="badge">disabled</span>}</td>
        <td className="time">
          {d.changed_at ? (
            <>
              {CHANGE_LABEL[d.changed_action ?? ""] ?? d.changed_action} by {d.changed_by}
              <br />
              {formatUtc(d.changed_at)}
            </>
          ) : (
            <>
              created by {d.created_by}
              <br />
              {formatUtc(d.created_at)}
            </>
          )}
        </td>
        <td>
          <div className="actions">
            <button type="button" disabled={busy} onClick={sendTest} aria-label={`Send a test notification to ${d.name}`}>
              Send test
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => setMode(mode === "edit" ? null : "edit")}
              aria-expanded={mode === "edit"}
              aria-label={`Edit ${d.name}`}
            >
              Edit
            </button>
            {d.enabled ? (
              <button type="button" disabled={busy} onClick={() => setMode("disable")} aria-label={`Disable ${d.name}`}>
                Disable
              </button>
            ) : (
              <button type="button" disabled={busy} onClick={enable} aria-label={`Enable ${d.name}`}>
                Enable
              </button>
            )}
            {d.kind === "json" && (
              <button type="button" disabled={busy} onClick={() => setMode("rotate")} aria-label={`Rotate the signing key of ${d.name}`}>
                Rotate signing key
              </button>
            )}
            <button type="button" className="danger" disabled={busy} onClick={() => setMode("delete")} aria-label={`Delete ${d.name}`}>
              Delete
            </button>
          </div>
          {note && (
            <div className="time" role="status">
              {note}
            </div>
          )}
        </td>
      </tr>
      {mode !== null && (
        <tr>
          <td colSpan={7}>
            {mode === "edit" && <EditForm destination={d} onSave={(patch) => run("PATCH", base, patch, () => setMode(null))} onCancel={() => setMode(null)} />}
            {mode === "disable" && (
              <ReasonForm label={`Disable ${d.name}`} hint="Its pending deliveries are given up." onSubmit={disable} onCancel={() => setMode(null)} />
            )}
            {mode === "rotate" && (
              <ReasonForm
                label={`Rotate signing key of ${d.name}`}
                hint="The receiver must switch to the new key at once."
                onSubmit={rotate}
                onCancel={() => setMode(null)}
              />
            )}
            {mode === "delete" && (
              <ReasonForm
                label={`Delete ${d.name}`}
                hint="Its delivery history goes with it; the audit log keeps the record."
                onSubmit={remove}
                onCancel={() => setMode(null)}
              />
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function EditForm({
  destination: d,
  onSave,
  onCancel,
}: {
  destination: DestinationView;
  onSave: (patch: Record<string, unknown>) => Promise<string | null>;
  onCancel: () => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const minSeverity = String(form.get("min_severity") ?? "");
    const url = String(form.get("url") ?? "").trim();
    const patch: Record<string, unknown> = {
      ...(name !== d.name ? { name } : {}),
      ...(minSeverity !== d.min_severity ? { min_severity: minSeverity } : {}),
      ...(url ? { url } : {}),
    };
    if (Object.keys(patch).length === 0) return setProblem("Nothing changed");
    setProblem(await onSave(patch));
  }
  return (
    <form className="reason-form" onSubmit={(e) => void submit(e)} aria-label={`Edit ${d.name}`}>
      <label>
        Name
        <input name="name" required maxLength={100} defaultValue={d.name} autoFocus />
      </label>
      <label>
        Minimum severity
        <select name="min_severity" defaultValue={d.min_severity}>
          {SEVERITIES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        New webhook URL (empty keeps {d.url_hint}/…)
        <input name="url" type="url" maxLength={2048} autoComplete="off" size={40} />
      </label>
      <button type="submit" className="primary">
        Save
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {problem && (
        <span role="alert" className="error-box">
          {problem}
        </span>
      )}
    </form>
  );
}

/** Asks why before a change that stops or breaks deliveries; the reason goes to the audit log. */
function ReasonForm({
  label,
  hint,
  onSubmit,
  onCancel,
}: {
  label: string;
  hint: string;
  onSubmit: (reason: string) => Promise<string | null>;
  onCancel: () => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    const error = await onSubmit(String(form.get("reason") ?? ""));
    setBusy(false);
    setProblem(error);
  }
  return (
    <form className="reason-form" onSubmit={(e) => void submit(e)} aria-label={label}>
      <span className="time">{hint}</span>
      <label>
        Reason
        <input name="reason" required minLength={3} maxLength={500} autoFocus placeholder="why" />
      </label>
      <button type="submit" className="danger" disabled={busy}>
        {busy ? "Working…" : label}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {problem && (
        <span role="alert" className="error-box">
          {problem}
        </span>
      )}
    </form>
  );
}
