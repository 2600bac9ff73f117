"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { callApi } from "./api-client";
import { Button } from "./ui/button";
import { Notice } from "./ui/notice";

/** The second step appears when the server answers MFA_REQUIRED: the password was right, the account wants a code too. */
export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secondFactor, setSecondFactor] = useState<"totp" | "recovery_code" | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setProblem(null);
    const factor = secondFactor ? { [secondFactor]: form.get("second_factor") } : {};
    const result = await callApi<{ user?: { must_change_password?: boolean } }>("POST", "/api/v1/auth/sign-in", {
      email: form.get("email"),
      password: form.get("password"),
      ...factor,
    });
    setBusy(false);
    if (result.ok) {
      router.replace(result.data.user?.must_change_password ? "/account/password" : next);
      router.refresh();
    } else if (result.code === "MFA_REQUIRED") {
      setSecondFactor("totp");
    } else {
      setProblem(result.error);
    }
  }

  return (
    <form className="panel auth-card" onSubmit={(e) => void submit(e)} aria-label="Sign in">
      <div className="brand">
        Agent<span>SOC</span>
      </div>
      <label>
        E-mail
        <input name="email" type="email" autoComplete="username" required autoFocus={!secondFactor} readOnly={secondFactor !== null} />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required readOnly={secondFactor !== null} />
      </label>
      {secondFactor === "totp" && (
        <label>
          Code from your authenticator
          <input key="totp" name="second_factor" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required autoFocus />
        </label>
      )}
      {secondFactor === "recovery_code" && (
        <label>
          Recovery code
          <input key="recovery" name="second_factor" autoComplete="off" maxLength={64} required autoFocus />
        </label>
      )}
      {secondFactor && (
        <button type="button" className="link-button" onClick={() => setSecondFactor(secondFactor === "totp" ? "recovery_code" : "totp")}>
          {secondFactor === "totp" ? "Use a recovery code instead" : "Use the authenticator's code instead"}
        </button>
      )}
      <Notice kind="error">{problem}</Notice>
      <Button type="submit" variant="primary" busy={busy} busyLabel="Signing in…">
        {secondFactor ? "Verify" : "Sign in"}
      </Button>
    </form>
  );
}
