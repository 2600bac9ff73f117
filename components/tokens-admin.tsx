"use client";

import { useState } from "react";
import { ROLES } from "@/lib/auth/roles";
import { createApiTokenBody } from "@/lib/auth/schemas";
import type { ApiTokenView } from "@/lib/auth/views";
import { formatUtc } from "@/lib/format";
import { ShownOnce } from "./shown-once";
import { ConfirmButton } from "./ui/dialog";
import { Field, Form } from "./ui/form";
import { useAction } from "./ui/use-action";

/** The form's values as the API takes them: an empty expiry is none. */
function readTokenForm(form: FormData) {
  const days = String(form.get("expires_in_days") ?? "").trim();
  return { name: form.get("name"), role: form.get("role"), ...(days ? { expires_in_days: Number(days) } : {}) };
}

export function TokensAdmin({ tokens }: { tokens: ApiTokenView[] }) {
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const create = useAction<unknown, { name: string; token: string }>({ method: "POST", url: "/api/v1/tokens", refresh: true, onDone: setCreated });
  const revoke = useAction<{ id: string; reason: string }>({
    method: "DELETE",
    url: ({ id }) => `/api/v1/tokens/${id}`,
    body: ({ reason }) => ({ reason }),
    refresh: true,
  });

  return (
    <>
      {created && <ShownOnce title={`Token ${created.name}`} hint="store it in your secret manager" secret={created.token} />}
      <Form
        schema={createApiTokenBody}
        read={readTokenForm}
        action={create}
        submitLabel="Create token"
        busyLabel="Creating…"
        className="panel form-row"
        aria-label="Create API token"
        onDone={(form) => form.reset()}
      >
        <Field label="Name" name="name" required placeholder="siem-export" />
        <Field label="Role" name="role" as="select" defaultValue="viewer">
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </Field>
        <Field label="Expires after (days, empty for never)" name="expires_in_days" type="number" min={1} max={3650} />
      </Form>
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
                      <ConfirmButton
                        danger
                        title={`Revoke ${t.name}?`}
                        message="It and every token minted from it stop working at once."
                        confirmLabel="Revoke"
                        reason={{}}
                        onConfirm={(reason) => revoke.run({ id: t.id, reason })}
                      >
                        Revoke
                      </ConfirmButton>
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
