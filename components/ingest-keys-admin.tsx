"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import type { IngestKeyView } from "@/lib/agents/views";
import { formatUtc } from "@/lib/format";
import { callApi } from "./api-client";
import { ProblemBox, ShownOnce } from "./shown-once";
import { useAsk } from "./ui/dialog";

export function IngestKeysAdmin({ agents }: { agents: { agent_id: string; keys: IngestKeyView[] }[] }) {
  const router = useRouter();
  const { dialog, ask } = useAsk();
  const [problem, setProblem] = useState<string | null>(null);
  const [shown, setShown] = useState<{ agent_id: string; ingest_key: string } | null>(null);

  async function act(method: string, url: string, body: unknown, showKey: boolean) {
    const result = await callApi<{ agent_id: string; ingest_key: string }>(method, url, body);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    if (showKey) setShown(result.data);
    router.refresh();
  }

  async function register(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const form = new FormData(target);
    await act("POST", "/api/v1/agents", { agent_id: form.get("agent_id"), display_name: form.get("display_name") || undefined }, true);
    target.reset();
  }

  return (
    <>
      {dialog}
      <ProblemBox problem={problem} />
      {shown && <ShownOnce title={`Ingest key for ${shown.agent_id}`} hint="put it in the agent's secret store" secret={shown.ingest_key} />}
      <form className="panel form-row" onSubmit={(e) => void register(e)} aria-label="Register agent">
        <label>
          Agent id
          <input name="agent_id" required placeholder="support-agent-v2" />
        </label>
        <label>
          Display name
          <input name="display_name" placeholder="optional" />
        </label>
        <button type="submit" className="primary">
          Register agent
        </button>
      </form>
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
                          <button
                            type="button"
                            onClick={async () => {
                              const answer = await ask({
                                title: `Agents key ${k.prefix}… may also speak for`,
                                message: `Registered agent ids, comma-separated; empty for ${a.agent_id} only.`,
                                confirmLabel: "Save",
                                fields: [{ name: "speaks_for", label: "Also speaks for", defaultValue: k.speaks_for.join(", ") }],
                                reason: {},
                              });
                              if (!answer) return;
                              const speaksFor = (answer.values.speaks_for ?? "")
                                .split(",")
                                .map((id) => id.trim())
                                .filter(Boolean);
                              await act(
                                "PUT",
                                `/api/v1/agents/${encodeURIComponent(a.agent_id)}/keys/${k.id}`,
                                { speaks_for: speaksFor, reason: answer.reason },
                                false,
                              );
                            }}
                          >
                            Speaks for…
                          </button>{" "}
                          <button
                            type="button"
                            className="danger"
                            onClick={async () => {
                              const answer = await ask({
                                title: `Revoke key ${k.prefix}… of ${a.agent_id}?`,
                                message: "The agent's requests with it fail at once.",
                                confirmLabel: "Revoke",
                                danger: true,
                                reason: {},
                              });
                              if (answer)
                                await act("DELETE", `/api/v1/agents/${encodeURIComponent(a.agent_id)}/keys/${k.id}`, { reason: answer.reason }, false);
                            }}
                          >
                            Revoke
                          </button>
                        </>
                      )}
                    </div>
                  ))}
                </td>
                <td className="actions">
                  <button type="button" onClick={() => void act("POST", `/api/v1/agents/${encodeURIComponent(a.agent_id)}/keys`, {}, true)}>
                    Issue key
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={async () => {
                      const answer = await ask({
                        title: `Rotate ${a.agent_id}'s key?`,
                        message: "Every current key stops working at once.",
                        confirmLabel: "Rotate",
                        danger: true,
                        reason: {},
                      });
                      if (answer) await act("POST", `/api/v1/agents/${encodeURIComponent(a.agent_id)}/keys`, { rotate: true, reason: answer.reason }, true);
                    }}
                  >
                    Rotate
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
