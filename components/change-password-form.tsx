"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { callApi } from "./api-client";
import { ProblemBox } from "./shown-once";

export function ChangePasswordForm({ email, required }: { email: string; required: boolean }) {
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get("new_password") !== form.get("repeat")) return setProblem("The two new passwords differ");
    setBusy(true);
    const result = await callApi("POST", "/api/v1/auth/password", {
      current_password: form.get("current_password"),
      new_password: form.get("new_password"),
    });
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    router.replace("/agents");
    router.refresh();
  }

  return (
    <form className="panel auth-card" onSubmit={(e) => void submit(e)} aria-label="Change password">
      <div className="brand">
        Agent<span>SOC</span>
      </div>
      <p className="subtitle">
        {required ? `${email}: you signed in with a one-time password. Choose your own to continue.` : `Change the password of ${email}.`}
      </p>
      <label>
        Current password
        <input name="current_password" type="password" autoComplete="current-password" required />
      </label>
      <label>
        New password (at least 12 characters)
        <input name="new_password" type="password" autoComplete="new-password" minLength={12} required />
      </label>
      <label>
        New password again
        <input name="repeat" type="password" autoComplete="new-password" minLength={12} required />
      </label>
      <ProblemBox problem={problem} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Saving…" : "Set password"}
      </button>
    </form>
  );
}
