"use client";

import { useState } from "react";
import { ROLES } from "@/lib/auth/roles";
import { createUserInput } from "@/lib/auth/schemas";
import type { UserView } from "@/lib/auth/views";
import { ShownOnce } from "./shown-once";
import { Button } from "./ui/button";
import { ConfirmButton } from "./ui/dialog";
import { Field, Form } from "./ui/form";
import { Notice } from "./ui/notice";
import { Time } from "./ui/time";
import { useAction } from "./ui/use-action";
import { UserSessionsPanel } from "./user-sessions-panel";

type OneTimePassword = { email: string; one_time_password?: string };

export function UsersAdmin({ users, myEmail }: { users: UserView[]; myEmail: string }) {
  const [secret, setSecret] = useState<{ email: string; password: string } | null>(null);
  const [sessionsOf, setSessionsOf] = useState<string | null>(null);
  const shownSessions = users.find((u) => u.id === sessionsOf) ?? null;
  const showOnce = (d: OneTimePassword) => setSecret(d.one_time_password ? { email: d.email, password: d.one_time_password } : null);
  const addUser = useAction<unknown, OneTimePassword>({ method: "POST", url: "/api/v1/users", refresh: true, onDone: showOnce });
  const change = useAction<{ id: string; role?: string; disabled?: boolean; reason?: string }>({
    method: "PATCH",
    url: ({ id }) => `/api/v1/users/${id}`,
    body: ({ id: _id, ...change }) => change,
    refresh: true,
  });
  const reset = useAction<{ id: string }, OneTimePassword>({
    method: "POST",
    url: ({ id }) => `/api/v1/users/${id}/reset-password`,
    body: () => ({}),
    refresh: true,
    onDone: showOnce,
  });

  return (
    <>
      <Notice kind="error">{change.error}</Notice>
      {secret && <ShownOnce title={`One-time password for ${secret.email}`} hint="hand it over out of band" secret={secret.password} />}
      <Form
        schema={createUserInput.omit({ password: true })}
        action={addUser}
        submitLabel="Add user"
        busyLabel="Adding…"
        className="panel form-row"
        aria-label="Add user"
        onDone={(form) => form.reset()}
      >
        <Field label="E-mail" name="email" type="email" required />
        <Field label="Role" name="role" as="select" defaultValue="viewer">
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </Field>
      </Form>
      {shownSessions && <UserSessionsPanel user={shownSessions} onClose={() => setSessionsOf(null)} />}
      <div className="panel" style={{ marginTop: 16 }}>
        <table aria-label="Users">
          <thead>
            <tr>
              <th scope="col">E-mail</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={change.busy}
                    onChange={(e) => void change.run({ id: u.id, role: e.target.value })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  {u.disabled ? (
                    "disabled"
                  ) : u.locked_until ? (
                    <>
                      locked until <Time iso={u.locked_until} />
                    </>
                  ) : (
                    "active"
                  )}
                </td>
                <td className="time">{u.last_sign_in_at ? <Time iso={u.last_sign_in_at} /> : "never"}</td>
                <td className="actions">
                  <Button
                    aria-label={`Sessions of ${u.email}`}
                    aria-expanded={sessionsOf === u.id}
                    onClick={() => setSessionsOf(sessionsOf === u.id ? null : u.id)}
                  >
                    Sessions
                  </Button>
                  {u.disabled ? (
                    <ConfirmButton
                      title={`Enable ${u.email}?`}
                      message="They can sign in again with their password."
                      confirmLabel="Enable"
                      reason={{ placeholder: "why they are back" }}
                      onConfirm={(reason) => change.run({ id: u.id, disabled: false, reason })}
                    >
                      Enable
                    </ConfirmButton>
                  ) : (
                    <ConfirmButton
                      danger
                      disabled={u.email === myEmail}
                      title={`Disable ${u.email}?`}
                      message="Their sessions and API tokens stop working at once."
                      confirmLabel="Disable"
                      reason={{ placeholder: "why they must stop" }}
                      onConfirm={(reason) => change.run({ id: u.id, disabled: true, reason })}
                    >
                      Disable
                    </ConfirmButton>
                  )}
                  <ConfirmButton
                    title={`Reset the password of ${u.email}?`}
                    message="Their password stops working; a one-time password is shown here once, for you to hand over out of band."
                    confirmLabel="Reset password"
                    onConfirm={() => reset.run({ id: u.id })}
                  >
                    Reset password
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
