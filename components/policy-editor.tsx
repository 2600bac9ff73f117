"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useRef, useState } from "react";
import { formatUtc } from "@/lib/format";
import type { PolicyChange } from "@/lib/policy/policy";
import type { PolicyView } from "@/lib/policy/views";
import { callApi } from "./api-client";
import { ProblemBox } from "./shown-once";
import { ConfirmDialog } from "./ui/dialog";

const STARTER = {
  role: "",
  permissions: [{ tool_name: "kb_search", allowed_actions: ["read"], resource_scope: ["*"], rate_limit: 30, requires_approval: false, max_data_rows: 100 }],
  max_session_duration_seconds: 1800,
  max_tool_calls_per_session: 100,
};

function changeSummary(change: PolicyChange): string {
  const parts = [
    ...change.added_tools.map((t) => `+ ${t}`),
    ...change.removed_tools.map((t) => `− ${t}`),
    ...change.changed.map((c) => `${c.field}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`),
  ];
  return parts.length === 0 ? "no change" : parts.join("; ");
}

function PermissionsTable({ view }: { view: PolicyView }) {
  const policy = view.policy;
  if (!policy) return <p className="subtitle">No policy: this agent&apos;s tool calls are not judged against one.</p>;
  return (
    <>
      <p className="subtitle">
        Version {view.version}, set by <span className="mono">{view.updated_by}</span> at {formatUtc(view.updated_at ?? "")}
        {policy.role ? ` · role ${policy.role}` : ""} · sessions up to {policy.max_session_duration_seconds} s and {policy.max_tool_calls_per_session} tool
        calls
        {policy.allowed_ip_ranges.length > 0 ? ` · from ${policy.allowed_ip_ranges.join(", ")}` : ""}
      </p>
      <div className="table-scroll">
        <table aria-label="Tool permissions">
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col">Allowed actions</th>
              <th scope="col">Resource scope</th>
              <th scope="col">Calls / min</th>
              <th scope="col">Max rows</th>
              <th scope="col">Approval</th>
            </tr>
          </thead>
          <tbody>
            {policy.permissions.length === 0 && (
              <tr>
                <td colSpan={6} className="empty">
                  No tool is granted: every tool call is a violation.
                </td>
              </tr>
            )}
            {policy.permissions.map((p) => (
              <tr key={p.tool_name}>
                <td className="mono">{p.tool_name}</td>
                <td>{p.allowed_actions.join(", ") || "(none)"}</td>
                <td className="log-text">{p.resource_scope.join("\n") || "(none)"}</td>
                <td className="num">{p.rate_limit}</td>
                <td className="num">{p.max_data_rows}</td>
                <td>{p.requires_approval ? "required" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

interface DraftAnswer {
  policy: unknown;
  notes: Record<string, string[]>;
  skipped_tools: string[];
}

/** What a drafted policy stands on, beside each of its lines: the editor above holds the draft, unsaved. */
function DraftEvidence({ draft }: { draft: DraftAnswer }) {
  return (
    <section aria-label="Draft evidence" className="draft-evidence">
      <h3>Draft from the last 7 days (not saved: review it above, then save)</h3>
      <dl className="baseline-summary">
        {Object.entries(draft.notes).map(([line, notes]) => (
          <div key={line}>
            <dt className="mono">{line}</dt>
            <dd>{notes.join("; ")}</dd>
          </div>
        ))}
      </dl>
      {draft.skipped_tools.length > 0 && (
        <p className="subtitle">Left out, their names hold control characters: {draft.skipped_tools.map((t) => JSON.stringify(t)).join(", ")}</p>
      )}
    </section>
  );
}

/** The agent's security policy: a table everyone may read, a JSON editor for admins (the API's body), and its versions. */
export function PolicyEditor({ agentId, view: served, editable }: { agentId: string; view: PolicyView; editable: boolean }) {
  const router = useRouter();
  // The answer to this page's own change shows at once; a newer page render (another admin) wins.
  const [answered, setAnswered] = useState<PolicyView | null>(null);
  const newest = (v: PolicyView | null) => v?.versions[0]?.version ?? 0;
  const view = answered && newest(answered) >= newest(served) ? answered : served;
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [draft, setDraft] = useState<DraftAnswer | null>(null);
  const editor = useRef<HTMLTextAreaElement>(null);
  const url = `/api/v1/agents/${encodeURIComponent(agentId)}/policy`;

  async function proposeDraft() {
    setBusy(true);
    const result = await callApi<DraftAnswer>("GET", `${url}/draft?days=7`);
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    setDraft(result.data);
    if (editor.current) editor.current.value = JSON.stringify(result.data.policy, null, 2);
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(String(new FormData(event.currentTarget).get("policy") ?? ""));
    } catch {
      return setProblem("The policy is not valid JSON");
    }
    setBusy(true);
    const result = await callApi<PolicyView>("PUT", url, body);
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    setDraft(null);
    setAnswered(result.data);
    router.refresh();
  }

  async function remove(reason: string): Promise<string | null> {
    const result = await callApi<PolicyView>("DELETE", url, { reason });
    if (!result.ok) return result.error;
    setRemoving(false);
    setAnswered(result.data);
    router.refresh();
    return null;
  }

  return (
    <div className="panel baseline">
      <PermissionsTable view={view} />
      {editable && (
        <form onSubmit={(e) => void save(e)} aria-label="Security policy" className="form-row" key={view.version ?? "none"}>
          <label className="wide">
            Policy (JSON: the guide&apos;s AgentSecurityPolicy fields; left-out limits take its defaults)
            <textarea ref={editor} name="policy" rows={12} spellCheck={false} defaultValue={JSON.stringify(view.policy ?? STARTER, null, 2)} />
          </label>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Save policy
            </button>
            <button type="button" disabled={busy} onClick={() => void proposeDraft()}>
              Draft from the last 7 days
            </button>
            {view.policy && !removing && (
              <button type="button" className="danger" disabled={busy} onClick={() => setRemoving(true)}>
                Remove policy
              </button>
            )}
          </div>
        </form>
      )}
      <ConfirmDialog
        open={removing}
        onClose={() => setRemoving(false)}
        title="Remove policy"
        message="The agent's tool calls are no longer judged against a policy."
        confirmLabel="Remove policy"
        danger
        reason={{}}
        onConfirm={(reason) => remove(reason)}
      />
      <ProblemBox problem={problem} />
      {draft && <DraftEvidence draft={draft} />}
      {view.versions.length > 0 && (
        <>
          <h3>Versions</h3>
          <ol className="policy-versions" aria-label="Policy versions">
            {view.versions.map((v) => (
              <li key={v.version}>
                <span className="mono">v{v.version}</span> {formatUtc(v.changed_at)} by <span className="mono">{v.changed_by}</span>
                {v.policy === null && " removed the policy"}
                {v.reason && <> ({v.reason})</>}: <span className="log-text">{changeSummary(v.change)}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
