"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ROLES } from "@/lib/auth/roles";
import type { UserView } from "@/lib/auth/views";
import { formatUtc } from "@/lib/format";
import { callApi } from "./api-client";
import { ProblemBox, ShownOnce } from "./shown-once";

export function UsersAdmin({ users, myEmail }: { users: UserView[]; myEmail: string }) {
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ email: string; password: string } | null>(null);

  async function run<T>(method: string, url: string, body: unknown, onDone?: (data: T) => void) {
    setProblem(null);
    const result = await callApi<T>(method, url, body);
    if (!result.ok) return setProblem(result.error);
    onDone?.(result.data);
    router.refresh();
  }

  async function addUser(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const target = event.currentTarget;
    await run<{ email: string; one_time_password?: string }>("POST", "/api/v1/users", { email: form.get("email"), role: form.get("role") }, (d) => {
      if (d.one_time_password) setSecret({ email: d.email, password: d.one_time_password });
      target.reset();
    });
  }

  return (
    <>
      <ProblemBox problem={problem} />
      {secret && <ShownOnce title={`One-time password for ${secret.email}`} hint="hand it over out of band" secret={secret.password} />}
      <form className="panel form-row" onSubmit={(e) => void addUser(e)} aria-label="Add user">
        <label>
          E-mail
          <input name="email" type="email" required />
        </label>
        <label>
          Role
          <select name="role" defaultValue="viewer">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Add user
        </button>
      </form>
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
                    onChange={(e) => void run("PATCH", `/api/v1/users/${u.id}`, { role: e.target.value })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>{u.disabled ? "disabled" : u.locked_until ? `locked until ${formatUtc(u.locked_until)}` : "active"}</td>
                <td className="time">{u.last_sign_in_at ? formatUtc(u.last_sign_in_at) : "never"}</td>
                <td className="actions">
                  <button
                    type="button"
                    className={u.disabled ? undefined : "danger"}
                    disabled={u.email === myEmail}
                    onClick={() => void run("PATCH", `/api/v1/users/${u.id}`, { disabled: !u.disabled })}
                  >
                    {u.disabled ? "Enable" : "Disable"}
                  </button>
                  <button
                    type="button"
                    onClick={() =>
                      void run<{ email: string; one_time_password: string }>("POST", `/api/v1/users/${u.id}/reset-password`, {}, (d) =>
                        setSecret({ email: d.email, password: d.one_time_password }),
                      )
                    }
                  >
                    Reset password
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
