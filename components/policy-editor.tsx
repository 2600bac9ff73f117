"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { z } from "zod";
import { formatUtc } from "@/lib/format";
import { agentPolicySchema, type PolicyChange } from "@/lib/policy/policy";
import type { PolicyView } from "@/lib/policy/views";
import { type PolicyDraft, policyQueries } from "./queries";
import { Button } from "./ui/button";
import { ConfirmButton } from "./ui/dialog";
import { Field, Form } from "./ui/form";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

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

/**
 * The editor's text checked by the server's own policy schema; each refusal is put on the one field
 * there is, named by its path in the JSON (`permissions.0.tool_name: …`).
 */
const policyForm = z.object({
  policy: z.string().transform((text, ctx) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "The policy is not valid JSON" });
      return z.NEVER;
    }
    const parsed = agentPolicySchema.safeParse(json);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join(".");
      ctx.addIssue({ code: "custom", message: path ? `${path}: ${issue.message}` : issue.message });
    }
    return z.NEVER;
  }),
});

/** What a drafted policy stands on, beside each of its lines: the editor above holds the draft, unsaved. */
function DraftEvidence({ draft }: { draft: PolicyDraft }) {
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
      {draft.excluded_tools.length > 0 && (
        <p className="subtitle">
          Not granted, called only in sessions with a high or critical alert: {draft.excluded_tools.map((t) => JSON.stringify(t)).join(", ")}
        </p>
      )}
    </section>
  );
}

/** The agent's security policy: a table everyone may read, a JSON editor for admins (the API's body), and its versions. */
export function PolicyEditor({ agentId, view: served, editable }: { agentId: string; view: PolicyView; editable: boolean }) {
  const client = useQueryClient();
  // The answer to this page's own change shows at once; a newer page render (another admin) wins.
  const [answered, setAnswered] = useState<PolicyView | null>(null);
  const newest = (v: PolicyView | null) => v?.versions[0]?.version ?? 0;
  const view = answered && newest(answered) >= newest(served) ? answered : served;
  const [text, setText] = useState<{ version: number; text: string } | null>(null);
  const [draft, setDraft] = useState<PolicyDraft | null>(null);
  const url = `/api/v1/agents/${encodeURIComponent(agentId)}/policy`;
  const save = useAction<z.output<typeof policyForm>, PolicyView>({
    method: "PUT",
    url,
    body: ({ policy }) => policy,
    refresh: true,
    onDone: (answer) => {
      setDraft(null);
      setAnswered(answer);
    },
  });
  const remove = useAction<{ reason: string }, PolicyView>({ method: "DELETE", url, refresh: true, onDone: setAnswered });
  const propose = useMutation({
    mutationFn: () => client.fetchQuery(policyQueries.draft(agentId, 7)),
    onSuccess: (answer) => {
      setDraft(answer);
      setText({ version: newest(view), text: JSON.stringify(answer.policy, null, 2) });
    },
  });
  // What the editor holds: the text typed or drafted over the newest version, else the policy in effect (a new version, a removal included, replaces it).
  const editorText = text && text.version === newest(view) ? text.text : JSON.stringify(view.policy ?? STARTER, null, 2);

  return (
    <div className="panel baseline">
      <PermissionsTable view={view} />
      {editable && (
        <>
          <Form schema={policyForm} action={save} submitLabel="Save policy" busyLabel="Saving…" aria-label="Security policy" className="form-row">
            <Field
              as="textarea"
              className="wide"
              label="Policy (JSON: the guide's AgentSecurityPolicy fields; left-out limits take its defaults)"
              name="policy"
              rows={12}
              spellCheck={false}
              value={editorText}
              onChange={(e) => setText({ version: newest(view), text: e.target.value })}
            />
          </Form>
          <div className="actions">
            <Button busy={propose.isPending} busyLabel="Drafting…" onClick={() => propose.mutate()}>
              Draft from the last 7 days
            </Button>
            {view.policy && (
              <ConfirmButton
                danger
                title="Remove policy"
                message="The agent's tool calls are no longer judged against a policy."
                confirmLabel="Remove policy"
                reason={{}}
                onConfirm={(reason) => remove.run({ reason })}
              >
                Remove policy
              </ConfirmButton>
            )}
          </div>
          <Notice kind="error">{propose.error ? `No draft: ${propose.error.message}` : null}</Notice>
        </>
      )}
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
