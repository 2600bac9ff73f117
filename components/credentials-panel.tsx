"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import { KIND_LABELS } from "@/lib/credentials/describe";
import type { CredentialKind } from "@/lib/credentials/providers/provider";
import type { CredentialView } from "@/lib/credentials/views";
import { formatUtc } from "@/lib/format";
import { incidentRef } from "@/lib/incidents/types";
import type { RotationRunView } from "@/lib/rotation/views";
import { callApi, type FieldErrors } from "./api-client";
import { credentialQueries, rotationQueries } from "./queries";
import { RUN_STATUS_CLASS } from "./rotation-run";
import { ProblemBox, ShownOnce } from "./shown-once";
import { useAsk } from "./ui/dialog";

type AddableKind = Exclude<CredentialKind, "ingest_key">;
const ADDABLE_KINDS: readonly AddableKind[] = ["hmac_secret", "postgres_role", "redis_acl_user", "webhook"];

type ConfigField = { key: string; label: string; placeholder: string; number?: boolean; optional?: boolean };
const CONFIG_FIELDS: Record<CredentialKind, ConfigField[]> = {
  ingest_key: [],
  hmac_secret: [{ key: "purpose", label: "Purpose", placeholder: "messages to billing-agent", optional: true }],
  postgres_role: [
    { key: "role", label: "Role", placeholder: "support_agent" },
    { key: "host", label: "Host", placeholder: "db.internal" },
    { key: "port", label: "Port", placeholder: "5432", number: true },
    { key: "database", label: "Database", placeholder: "app" },
  ],
  redis_acl_user: [
    { key: "username", label: "User name", placeholder: "support-agent" },
    { key: "host", label: "Host", placeholder: "redis.internal" },
    { key: "port", label: "Port", placeholder: "6379", number: true },
  ],
  webhook: [
    { key: "url", label: "Secret manager endpoint", placeholder: "https://secrets.internal/agentsoc" },
    { key: "secret_id", label: "Secret id", placeholder: "prod/support-agent/api-key" },
  ],
};
/** Kinds whose secret in use may be recorded, so that the first rotation can prove it refused. */
const takesCurrentSecret = (kind: CredentialKind) => kind === "postgres_role" || kind === "redis_acl_user";

const ROTATION_STATE: Record<CredentialView["rotation_state"], { label: string; look: string }> = {
  never_rotated: { label: "never rotated", look: "state-pending" },
  rotating: { label: "rotating", look: "state-running" },
  rotated: { label: "rotated", look: "state-done" },
  failed: { label: "rotation failed", look: "state-failed" },
};

/**
 * An agent's credential inventory: what it holds, where, when each was last rotated, and (for its
 * ingest key) whether anyone still calls with a revoked key. Responders rotate from here; admins keep
 * the inventory. Kept live: faster while a rotation is going.
 */
export function CredentialsPanel({
  agentId,
  role,
  initialCredentials,
  initialRotations,
}: {
  agentId: string;
  role: Role;
  initialCredentials: CredentialView[];
  initialRotations: RotationRunView[];
}) {
  const router = useRouter();
  const { dialog, ask } = useAsk();
  const client = useQueryClient();
  const credentials = useQuery({
    ...credentialQueries.ofAgent(agentId),
    initialData: initialCredentials,
    refetchInterval: (q) => (q.state.data?.some((c) => c.rotation_state === "rotating") ? 2_000 : 10_000),
  });
  const rotations = useQuery({
    ...rotationQueries.ofAgent(agentId),
    initialData: initialRotations,
    refetchInterval: (q) => (q.state.data?.some((r) => r.status === "running") ? 2_000 : 10_000),
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState<CredentialView | null>(null);
  const [shown, setShown] = useState<{ title: string; hint: string; secret: string } | null>(null);
  const responds = roleAtLeast(role, "responder");
  const admin = roleAtLeast(role, "admin");
  const list = credentials.data;

  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: credentialQueries.ofAgent(agentId).queryKey }),
      client.invalidateQueries({ queryKey: rotationQueries.all }),
    ]);

  async function rotate(body: { agent_id: string } | { credential_ids: string[] }, question: string) {
    if (!(await ask({ title: "Rotate credentials?", message: question, confirmLabel: "Rotate", danger: true }))) return;
    setBusy(true);
    const result = await callApi<{ id: string; existing: boolean }>("POST", "/api/v1/rotations", body);
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    void refresh();
    router.push(`/rotations/${encodeURIComponent(result.data.id)}`);
  }

  async function remove(c: CredentialView) {
    const answer = await ask({
      title: `Remove "${c.name}"?`,
      message: `It leaves ${agentId}'s inventory and will no longer be rotated (its history stays).`,
      confirmLabel: "Remove",
      danger: true,
      reason: {},
    });
    if (!answer) return;
    const { reason } = answer;
    setBusy(true);
    const result = await callApi("DELETE", `/api/v1/credentials/${encodeURIComponent(c.id)}`, { reason });
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    if (editing?.id === c.id) setEditing(null);
    await refresh();
  }

  return (
    <>
      {dialog}
      <ProblemBox problem={problem} />
      {credentials.isError && <ProblemBox problem={`The inventory could not refresh: ${credentials.error.message}`} />}
      {shown && <ShownOnce {...shown} />}
      <div className="panel">
        {responds && list.length > 0 && (
          <div className="form-row">
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() =>
                void rotate(
                  { agent_id: agentId },
                  `Rotate all ${list.length} credential${list.length === 1 ? "" : "s"} of ${agentId}? Each old secret stops working, and the agent needs the new ones; its ingest key too, so it cannot send logs until it has the new key.`,
                )
              }
            >
              Rotate all credentials
            </button>
            <span className="muted">Each old secret is revoked first, then a new one is made, put in place and checked.</span>
          </div>
        )}
        {list.length === 0 ? (
          <p className="empty">No credentials in the inventory.</p>
        ) : (
          <table aria-label="Credentials">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Provider</th>
                <th scope="col">Where</th>
                <th scope="col">Last rotated</th>
                <th scope="col">Rotation</th>
                {(responds || admin) && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id}>
                  <td>
                    <strong>{c.name}</strong>
                    {c.revoked_key_use && <RevokedKeyUse use={c.revoked_key_use} />}
                  </td>
                  <td>{c.kind_label}</td>
                  <td>{c.provider}</td>
                  <td className="mono">{c.location}</td>
                  <td className="time">{c.last_rotated_at ? formatUtc(c.last_rotated_at) : "never"}</td>
                  <td>
                    <span className={`badge ${ROTATION_STATE[c.rotation_state].look}`}>{ROTATION_STATE[c.rotation_state].label}</span>
                    {c.live_rotation_id && (
                      <div>
                        <Link href={`/rotations/${encodeURIComponent(c.live_rotation_id)}`}>follow the run</Link>
                      </div>
                    )}
                  </td>
                  {(responds || admin) && (
                    <td>
                      <div className="actions">
                        {responds && (
                          <button
                            type="button"
                            disabled={busy || c.live_rotation_id !== null}
                            onClick={() =>
                              void rotate(
                                { credential_ids: [c.id] },
                                `Rotate "${c.name}" of ${agentId}? The old secret stops working${c.kind === "ingest_key" ? ": the agent cannot send logs until it has the new key" : ""}.`,
                              )
                            }
                            aria-label={`Rotate ${c.name}`}
                          >
                            Rotate
                          </button>
                        )}
                        {admin && (
                          <button type="button" disabled={busy} onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>
                            Edit
                          </button>
                        )}
                        {admin && c.kind !== "ingest_key" && (
                          <button type="button" className="danger" disabled={busy} onClick={() => void remove(c)} aria-label={`Remove ${c.name}`}>
                            Remove
                          </button>
                        )}
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {admin && editing && (
          <CredentialForm
            key={editing.id}
            agentId={agentId}
            editing={editing}
            onDone={(created) => {
              setEditing(null);
              if (created) setShown(created);
              void refresh();
            }}
          />
        )}
        {admin && !editing && (
          <CredentialForm
            agentId={agentId}
            editing={null}
            onDone={(created) => {
              if (created) setShown(created);
              void refresh();
            }}
          />
        )}
      </div>
      <RecentRotations runs={rotations.data} />
    </>
  );
}

function RevokedKeyUse({ use }: { use: NonNullable<CredentialView["revoked_key_use"]> }) {
  if (use.attempts === 0) return <div className="muted">No request came with a revoked key.</div>;
  return (
    <div className="step-error" role="note" data-testid="revoked-key-use">
      {use.attempts} refused request{use.attempts === 1 ? "" : "s"} with a revoked key{use.last_at && `, last at ${formatUtc(use.last_at)}`}. Something still
      uses an old key.
    </div>
  );
}

type Created = { title: string; hint: string; secret: string } | null;

/** Adds a credential (the kind chooses the settings asked for), or edits one; the server's field errors appear next to the fields. */
function CredentialForm({ agentId, editing, onDone }: { agentId: string; editing: CredentialView | null; onDone: (created: Created) => void }) {
  const [kind, setKind] = useState<CredentialKind>(editing?.kind ?? "postgres_role");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  const label = editing ? `Edit credential ${editing.name}` : "Add a credential";

  const value = (key: string) => {
    const v = editing?.config[key];
    return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const form = new FormData(target);
    const config: Record<string, unknown> = {};
    for (const f of CONFIG_FIELDS[kind]) {
      const raw = String(form.get(f.key) ?? "").trim();
      if (raw === "" && f.optional) continue;
      config[f.key] = f.number && /^\d+$/.test(raw) ? Number(raw) : raw;
    }
    // The server shows a webhook URL without its query string (it may hold a token): an unchanged config is not sent back.
    const configChanged = CONFIG_FIELDS[kind].some((f) => String(config[f.key] ?? "") !== (value(f.key) ?? ""));
    if (editing && configChanged && typeof config.url === "string" && config.url.endsWith("?…")) {
      setProblem(null);
      setFields({ "config.url": "type the whole URL again: it is shown without its query string, which may hold a token" });
      return;
    }
    const currentSecret = String(form.get("current_secret") ?? "");
    const secretPart = takesCurrentSecret(kind) && currentSecret ? { current_secret: currentSecret } : {};
    setBusy(true);
    const result = editing
      ? await callApi<{ credential: CredentialView }>("PATCH", `/api/v1/credentials/${encodeURIComponent(editing.id)}`, {
          name: form.get("name"),
          ...(configChanged ? { config } : {}),
          ...secretPart,
        })
      : await callApi<{ credential: CredentialView; secret?: string; signing_key?: string }>("POST", "/api/v1/credentials", {
          agent_id: agentId,
          name: form.get("name"),
          kind,
          config,
          ...secretPart,
        });
    setBusy(false);
    if (!result.ok) {
      const shownHere = new Set(["kind", "name", "agent_id", "current_secret", ...CONFIG_FIELDS[kind].map((f) => `config.${f.key}`)]);
      const elsewhere = Object.entries(result.fields).filter(([path]) => !shownHere.has(path));
      const marked = Object.keys(result.fields).length > elsewhere.length;
      setProblem(marked && elsewhere.length === 0 ? "Not saved: correct the fields marked in red." : result.error);
      setFields(result.fields);
      return;
    }
    setProblem(null);
    setFields({});
    target.reset();
    const answer: { credential: CredentialView; secret?: string; signing_key?: string } = result.data;
    const name = answer.credential.name;
    onDone(
      answer.secret
        ? { title: `HMAC signing secret "${name}" for ${agentId}`, hint: "put it in the agent's secret store now", secret: answer.secret }
        : answer.signing_key
          ? {
              title: `Signing key of "${name}"`,
              hint: "give it to the secret manager's endpoint, which verifies the console's signed calls with it",
              secret: answer.signing_key,
            }
          : null,
    );
  }

  return (
    <form className="form-row" onSubmit={(e) => void submit(e)} aria-label={label} style={{ borderTop: "1px solid var(--border)" }}>
      <strong style={{ flexBasis: "100%" }}>{label}</strong>
      {!editing && (
        <label>
          Kind
          <select name="kind" value={kind} onChange={(e) => setKind(ADDABLE_KINDS.find((k) => k === e.target.value) ?? "postgres_role")}>
            {ADDABLE_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
          <FieldError message={fields.kind} />
        </label>
      )}
      <label>
        Name
        <input
          name="name"
          required
          maxLength={120}
          defaultValue={editing?.name}
          placeholder="orders database login"
          aria-invalid={fields.name ? true : undefined}
        />
        <FieldError message={fields.name} />
      </label>
      {CONFIG_FIELDS[kind].map((f) => (
        <label key={`${kind}-${f.key}`}>
          {f.label}
          {f.optional && " (optional)"}
          <input
            name={f.key}
            required={!f.optional}
            inputMode={f.number ? "numeric" : undefined}
            size={f.number ? 6 : undefined}
            defaultValue={value(f.key)}
            placeholder={f.placeholder}
            aria-invalid={fields[`config.${f.key}`] ? true : undefined}
          />
          <FieldError message={fields[`config.${f.key}`]} />
        </label>
      ))}
      {takesCurrentSecret(kind) && (
        <label>
          {editing?.secret_known ? "Replace the password in use (optional)" : "Password in use (optional)"}
          <input name="current_secret" type="password" autoComplete="off" aria-invalid={fields.current_secret ? true : undefined} />
          <FieldError message={fields.current_secret} />
        </label>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Saving…" : editing ? "Save" : "Add credential"}
      </button>
      {editing && (
        <button type="button" onClick={() => onDone(null)} disabled={busy}>
          Cancel
        </button>
      )}
      {takesCurrentSecret(kind) && (
        <p className="muted" style={{ flexBasis: "100%", margin: 0 }}>
          With the password in use, the first rotation can prove it no longer works.
        </p>
      )}
      {fields.agent_id && <FieldError message={`Agent: ${fields.agent_id}`} />}
      <div style={{ flexBasis: "100%" }}>
        <ProblemBox problem={problem} />
      </div>
    </form>
  );
}

function FieldError({ message }: { message: string | undefined }) {
  return message ? (
    <span role="alert" style={{ color: "var(--danger)" }}>
      {message}
    </span>
  ) : null;
}

function RecentRotations({ runs }: { runs: RotationRunView[] }) {
  return (
    <>
      <h3>Recent rotations</h3>
      <div className="panel">
        {runs.length === 0 ? (
          <p className="empty">No rotation yet.</p>
        ) : (
          <table aria-label="Recent rotations">
            <thead>
              <tr>
                <th scope="col">Started (UTC)</th>
                <th scope="col">Status</th>
                <th scope="col">Credentials</th>
                <th scope="col">Requested by</th>
                <th scope="col">Incident</th>
              </tr>
            </thead>
            <tbody>
              {runs.slice(0, 10).map((r) => (
                <tr key={r.id}>
                  <td className="time">
                    <Link href={`/rotations/${encodeURIComponent(r.id)}`}>{formatUtc(r.created_at)}</Link>
                  </td>
                  <td>
                    <span className={`badge ${RUN_STATUS_CLASS[r.status]}`}>{r.status}</span>
                  </td>
                  <td>
                    {r.counts.rotated} of {r.counts.total} rotated
                    {r.counts.failed > 0 && `, ${r.counts.failed} failed`}
                    {r.counts.unresolved_failures > 0 && (
                      <span className="badge state-failed" style={{ marginLeft: 6 }}>
                        {r.counts.unresolved_failures} unresolved
                      </span>
                    )}
                  </td>
                  <td className="mono">{r.requested_by}</td>
                  <td>
                    {r.incident_id !== null ? (
                      <Link href={`/incidents/${r.incident_id}`}>{incidentRef(r.incident_id)}</Link>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
