"use client";

import QRCode from "qrcode";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { callApi } from "./api-client";
import { ProblemBox, ShownOnce } from "./shown-once";

interface Status {
  totp: "none" | "pending" | "enabled";
  confirmed_at: string | null;
  recovery_codes_left: number;
}
interface Enrolment {
  secret: string;
  otpauth_url: string;
}

/** Enrolment in three steps (password, scan, first code), then the recovery codes once; or removal with a code. */
export function SecondFactorForm({ email }: { email: string }) {
  const [status, setStatus] = useState<Status | null>(null);
  const [enrolment, setEnrolment] = useState<(Enrolment & { qr: string | null }) | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const result = await callApi<Status>("GET", "/api/v1/auth/mfa");
    if (result.ok) setStatus(result.data);
    else setProblem(result.error);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function act<T>(method: string, url: string, body: unknown, then: (data: T) => Promise<void> | void) {
    setBusy(true);
    setProblem(null);
    const result = await callApi<T>(method, url, body);
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    await then(result.data);
  }

  const field = (event: FormEvent<HTMLFormElement>, name: string) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get(name);
    return typeof value === "string" ? value : "";
  };

  const enrol = (event: FormEvent<HTMLFormElement>) =>
    act<Enrolment>("POST", "/api/v1/auth/mfa/totp/enroll", { password: field(event, "password") }, async (data) => {
      const qr = await QRCode.toDataURL(data.otpauth_url, { margin: 1, width: 220 }).catch(() => null);
      setEnrolment({ ...data, qr });
    });
  const confirm = (event: FormEvent<HTMLFormElement>) =>
    act<{ recovery_codes: string[] }>("POST", "/api/v1/auth/mfa/totp/confirm", { code: field(event, "code") }, async (data) => {
      setEnrolment(null);
      setRecoveryCodes(data.recovery_codes);
      await load();
    });
  const remove = (event: FormEvent<HTMLFormElement>) => {
    const password = field(event, "password");
    const proof = field(event, "proof").replace(/\s/g, "");
    return act("DELETE", "/api/v1/auth/mfa/totp", /^\d{6}$/.test(proof) ? { password, code: proof } : { password, recovery_code: proof }, async () => {
      setRecoveryCodes(null);
      await load();
    });
  };

  return (
    <section className="panel auth-card" aria-label="Second factor">
      <div className="brand">
        Agent<span>SOC</span>
      </div>
      <h1 className="subtitle">Two-step sign-in for {email}</h1>
      {status === null && !problem && <p className="muted">Loading…</p>}
      {recoveryCodes && (
        <ShownOnce
          title="Recovery codes"
          hint="keep them where you keep passwords; each signs in once if you lose your phone"
          secret={recoveryCodes.join("  ")}
        />
      )}
      {status?.totp === "enabled" && (
        <form onSubmit={(e) => void remove(e)} aria-label="Remove the authenticator">
          <p>
            Sign-in asks for a code from your authenticator. {status.recovery_codes_left} recovery code{status.recovery_codes_left === 1 ? "" : "s"} left.
          </p>
          <label>
            Your password
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <label>
            Current code, or a recovery code
            <input name="proof" autoComplete="one-time-code" maxLength={64} required />
          </label>
          <button type="submit" className="danger" disabled={busy}>
            Remove the authenticator
          </button>
        </form>
      )}
      {status && status.totp !== "enabled" && !enrolment && (
        <form onSubmit={(e) => void enrol(e)} aria-label="Enrol an authenticator">
          <p>Sign-in asks for your password only. Add an authenticator app (any TOTP app) so that a stolen password is not enough.</p>
          <label>
            Your password
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            Start
          </button>
        </form>
      )}
      {enrolment && (
        <form onSubmit={(e) => void confirm(e)} aria-label="Confirm the authenticator">
          <p>Scan this with the authenticator app, or type the key in by hand. Then enter the code it shows.</p>
          {/* biome-ignore lint/performance/noImgElement: a data: URL drawn in the browser, nothing for next/image to fetch or resize */}
          {enrolment.qr && <img src={enrolment.qr} alt="QR code of the authenticator key" width={220} height={220} />}
          <div className="secret-once" data-testid="totp-secret">
            {enrolment.secret}
          </div>
          <label>
            Code the app shows now
            <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required autoFocus />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            Turn on two-step sign-in
          </button>
        </form>
      )}
      <ProblemBox problem={problem} />
    </section>
  );
}
