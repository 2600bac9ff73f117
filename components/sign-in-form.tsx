"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";

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
    try {
      const factor = secondFactor ? { [secondFactor]: form.get("second_factor") } : {};
      const res = await fetch("/api/v1/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: form.get("email"), password: form.get("password"), ...factor }),
      });
      if (res.ok) {
        const body = (await res.json()) as { user?: { must_change_password?: boolean } };
        router.replace(body.user?.must_change_password ? "/account/password" : next);
        router.refresh();
        return;
      }
      const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      if (body?.error?.code === "MFA_REQUIRED") {
        setSecondFactor("totp");
        return;
      }
      setProblem(body?.error?.message ?? `Sign-in failed (${res.status})`);
    } catch {
      setProblem("The console did not answer; check your connection and try again");
    } finally {
      setBusy(false);
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
      {problem && (
        <div className="error-box" role="alert">
          {problem}
        </div>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Signing in…" : secondFactor ? "Verify" : "Sign in"}
      </button>
    </form>
  );
}
