"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ROLES } from "@/lib/auth/roles";
import type { ApiTokenView } from "@/lib/auth/views";
import { formatUtc } from "@/lib/format";
import { callApi } from "./api-client";
import { ProblemBox, ShownOnce } from "./shown-once";
import { useAsk } from "./ui/dialog";

export function TokensAdmin({ tokens }: { tokens: ApiTokenView[] }) {
  const router = useRouter();
  const { dialog, ask } = useAsk();
  const [problem, setProblem] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const form = new FormData(target);
    const days = String(form.get("expires") ?? "");
    const result = await callApi<{ name: string; token: string }>("POST", "/api/v1/tokens", {
      name: form.get("name"),
      role: form.get("role"),
      ...(days ? { expires_in_days: Number(days) } : {}),
    });
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    setCreated(result.data);
    target.reset();
    router.refresh();
  }

  async function revoke(token: ApiTokenView) {
    const answer = await ask({
      title: `Revoke ${token.name}?`,
      message: "It and every token minted from it stop working at once.",
      confirmLabel: "Revoke",
      danger: true,
      reason: {},
    });
    if (!answer) return;
    const { reason } = answer;
    const result = await callApi("DELETE", `/api/v1/tokens/${token.id}`, { reason });
    if (!result.ok) return setProblem(result.error);
    router.refresh();
  }

  return (
    <>
      {dialog}
      <ProblemBox problem={problem} />
      {created && <ShownOnce title={`Token ${created.name}`} hint="store it in your secret manager" secret={created.token} />}
      <form className="panel form-row" onSubmit={(e) => void create(e)} aria-label="Create API token">
        <label>
          Name
          <input name="name" required placeholder="siem-export" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="viewer">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Expires after (days, empty for never)
          <input name="expires" type="number" min={1} max={3650} />
        </label>
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
      <div className="panel" style={{ marginTop: 16 }}>
        <table aria-label="API tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Owner</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  {t.role}
                  {t.effective_role && t.effective_role !== t.role && (
                    <>
                      <br />
                      <span className="muted">acts as {t.effective_role}</span>
                    </>
                  )}
                </td>
                <td>
                  {t.owner_email ?? "operator (shell)"}
                  {t.parent && (
                    <>
                      <br />
                      <span className="muted">minted by token {t.parent.name}</span>
                    </>
                  )}
                </td>
                <td className="mono">{t.prefix}…</td>
                <td className="time">
                  {formatUtc(t.created_at)}
                  <br />
                  by {t.created_by}
                </td>
                <td className="time">{t.expires_at ? formatUtc(t.expires_at) : "never"}</td>
                <td className="time">{t.last_used_at ? formatUtc(t.last_used_at) : "never"}</td>
                <td>
                  {t.revoked_at ? (
                    `revoked ${formatUtc(t.revoked_at)}`
                  ) : (
                    <>
                      {t.dead_because && <div>cannot act: {t.dead_because}</div>}
                      <button type="button" className="danger" onClick={() => void revoke(t)}>
                        Revoke
                      </button>
                    </>
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
