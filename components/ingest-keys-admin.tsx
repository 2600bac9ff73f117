"use client";

import { useState } from "react";
import { registerAgentBody } from "@/lib/agents/schemas";
import type { IngestKeyView } from "@/lib/agents/views";
import { formatUtc } from "@/lib/format";
import { ShownOnce } from "./shown-once";
import { Button } from "./ui/button";
import { ConfirmButton } from "./ui/dialog";
import { Field, Form } from "./ui/form";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

type IssuedKey = { agent_id: string; ingest_key: string };

/** The form's values as the API takes them: an empty display name is none. */
function readRegisterForm(form: FormData) {
  const displayName = String(form.get("display_name") ?? "").trim();
  return { agent_id: form.get("agent_id"), ...(displayName ? { display_name: displayName } : {}) };
}

const agentUrl = (agentId: string) => `/api/v1/agents/${encodeURIComponent(agentId)}`;
const idList = (text: string) =>
  text
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);

export function IngestKeysAdmin({ agents }: { agents: { agent_id: string; keys: IngestKeyView[] }[] }) {
  const [shown, setShown] = useState<IssuedKey | null>(null);
  const register = useAction<unknown, IssuedKey>({ method: "POST", url: "/api/v1/agents", refresh: true, onDone: setShown });
  const keysOf = {
    method: "POST" as const,
    url: ({ agentId }: { agentId: string }) => `${agentUrl(agentId)}/keys`,
    body: ({ agentId: _agentId, ...body }: { agentId: string }) => body,
    refresh: true,
    onDone: setShown,
  };
  const issue = useAction<{ agentId: string }, IssuedKey>(keysOf);
  const rotate = useAction<{ agentId: string; rotate: true; reason: string }, IssuedKey>(keysOf);
  const speaksFor = useAction<{ agentId: string; keyId: string; speaks_for: string[]; reason: string }>({
    method: "PUT",
    url: ({ agentId, keyId }) => `${agentUrl(agentId)}/keys/${keyId}`,
    body: ({ speaks_for, reason }) => ({ speaks_for, reason }),
    refresh: true,
  });
  const revoke = useAction<{ agentId: string; keyId: string; reason: string }>({
    method: "DELETE",
    url: ({ agentId, keyId }) => `${agentUrl(agentId)}/keys/${keyId}`,
    body: ({ reason }) => ({ reason }),
    refresh: true,
  });

  return (
    <>
      <Notice kind="error">{issue.error}</Notice>
      {shown && <ShownOnce title={`Ingest key for ${shown.agent_id}`} hint="put it in the agent's secret store" secret={shown.ingest_key} />}
      <Form
        schema={registerAgentBody}
        read={readRegisterForm}
        action={register}
        submitLabel="Register agent"
        busyLabel="Registering…"
        className="panel form-row"
        aria-label="Register agent"
        onDone={(form) => form.reset()}
      >
        <Field label="Agent id" name="agent_id" required placeholder="support-agent-v2" />
        <Field label="Display name" name="display_name" placeholder="optional" />
      </Form>
      <div className="panel" style={{ marginTop: 16 }}>
        <table aria-label="Ingest keys">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Keys</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.agent_id}>
                <td className="mono">{a.agent_id}</td>
                <td>
                  {a.keys.map((k) => (
                    <div key={k.id} className="mono">
                      {k.prefix}… created {formatUtc(k.created_at)} · last used {k.last_used_at ? formatUtc(k.last_used_at) : "never"}
                      {k.speaks_for.length > 0 && ` · also speaks for ${k.speaks_for.join(", ")}`}{" "}
                      {k.revoked_at ? (
                        <span className="badge">revoked</span>
                      ) : (
                        <>
                          <ConfirmButton
                            title={`Agents key ${k.prefix}… may also speak for`}
                            message={`Registered agent ids, comma-separated; empty for ${a.agent_id} only.`}
                            confirmLabel="Save"
                            fields={[{ name: "speaks_for", label: "Also speaks for", defaultValue: k.speaks_for.join(", ") }]}
                            reason={{}}
                            onConfirm={(reason, values) =>
                              speaksFor.run({ agentId: a.agent_id, keyId: k.id, speaks_for: idList(values.speaks_for ?? ""), reason })
                            }
                          >
                            Speaks for…
                          </ConfirmButton>{" "}
                          <ConfirmButton
                            danger
                            title={`Revoke key ${k.prefix}… of ${a.agent_id}?`}
                            message="The agent's requests with it fail at once."
                            confirmLabel="Revoke"
                            reason={{}}
                            onConfirm={(reason) => revoke.run({ agentId: a.agent_id, keyId: k.id, reason })}
                          >
                            Revoke
                          </ConfirmButton>
                        </>
                      )}
                    </div>
                  ))}
                </td>
                <td className="actions">
                  <Button disabled={issue.busy} onClick={() => void issue.run({ agentId: a.agent_id })}>
                    Issue key
                  </Button>
                  <ConfirmButton
                    danger
                    title={`Rotate ${a.agent_id}'s key?`}
                    message="Every current key stops working at once."
                    confirmLabel="Rotate"
                    reason={{}}
                    onConfirm={(reason) => rotate.run({ agentId: a.agent_id, rotate: true, reason })}
                  >
                    Rotate
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
