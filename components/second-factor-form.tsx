"use client";

import { useQuery } from "@tanstack/react-query";
import QRCode from "qrcode";
import { useState } from "react";
import { z } from "zod";
import { accountQueries } from "./queries";
import { ShownOnce } from "./shown-once";
import { Field, Form } from "./ui/form";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

interface Enrolment {
  secret: string;
  otpauth_url: string;
}

const password = z.string().min(1, "Enter your password");
const enrolForm = z.object({ password });
const confirmForm = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Six digits, as the app shows them"),
});
/** A six-digit code or a recovery code, as the API names them. */
const removeForm = z.object({ password, proof: z.string().min(1, "Enter a code from the app or a recovery code").max(64) }).transform(({ password, proof }) => {
  const code = proof.replace(/\s/g, "");
  return /^\d{6}$/.test(code) ? { password, code } : { password, recovery_code: code };
});

/** Enrolment in three steps (password, scan, first code), then the recovery codes once; or removal with a code. */
export function SecondFactorForm({ email }: { email: string }) {
  const status = useQuery(accountQueries.secondFactor());
  const invalidate = [accountQueries.secondFactor().queryKey];
  const [enrolment, setEnrolment] = useState<(Enrolment & { qr: string | null }) | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const enrol = useAction<z.output<typeof enrolForm>, Enrolment>({
    method: "POST",
    url: "/api/v1/auth/mfa/totp/enroll",
    invalidate,
    onDone: (data) => {
      void QRCode.toDataURL(data.otpauth_url, { margin: 1, width: 220 })
        .catch(() => null)
        .then((qr) => setEnrolment({ ...data, qr }));
    },
  });
  const confirm = useAction<z.output<typeof confirmForm>, { recovery_codes: string[] }>({
    method: "POST",
    url: "/api/v1/auth/mfa/totp/confirm",
    invalidate,
    onDone: (data) => {
      setEnrolment(null);
      setRecoveryCodes(data.recovery_codes);
    },
  });
  const remove = useAction<z.output<typeof removeForm>>({
    method: "DELETE",
    url: "/api/v1/auth/mfa/totp",
    invalidate,
    onDone: () => setRecoveryCodes(null),
  });
  const totp = status.data?.totp;

  return (
    <section className="panel auth-card" aria-label="Second factor">
      <div className="brand">
        Agent<span>SOC</span>
      </div>
      <h1 className="subtitle">Two-step sign-in for {email}</h1>
      {status.isPending && <p className="muted">Loading…</p>}
      <Notice kind="error">{status.error?.message}</Notice>
      {recoveryCodes && (
        <ShownOnce
          title="Recovery codes"
          hint="keep them where you keep passwords; each signs in once if you lose your phone"
          secret={recoveryCodes.join("  ")}
        />
      )}
      {status.data && totp === "enabled" && (
        <Form schema={removeForm} action={remove} submitLabel="Remove the authenticator" variant="danger" aria-label="Remove the authenticator">
          <p>
            Sign-in asks for a code from your authenticator. {status.data.recovery_codes_left} recovery code
            {status.data.recovery_codes_left === 1 ? "" : "s"} left.
          </p>
          <Field label="Your password" name="password" type="password" autoComplete="current-password" required />
          <Field label="Current code, or a recovery code" name="proof" autoComplete="one-time-code" maxLength={64} required />
        </Form>
      )}
      {status.data && totp !== "enabled" && !enrolment && (
        <Form schema={enrolForm} action={enrol} submitLabel="Start" aria-label="Enrol an authenticator">
          <p>Sign-in asks for your password only. Add an authenticator app (any TOTP app) so that a stolen password is not enough.</p>
          <Field label="Your password" name="password" type="password" autoComplete="current-password" required />
        </Form>
      )}
      {enrolment && (
        <Form schema={confirmForm} action={confirm} submitLabel="Turn on two-step sign-in" aria-label="Confirm the authenticator">
          <p>Scan this with the authenticator app, or type the key in by hand. Then enter the code it shows.</p>
          {/* biome-ignore lint/performance/noImgElement: a data: URL drawn in the browser, nothing for next/image to fetch or resize */}
          {enrolment.qr && <img src={enrolment.qr} alt="QR code of the authenticator key" width={220} height={220} />}
          <div className="secret-once" data-testid="totp-secret">
            {enrolment.secret}
          </div>
          <Field
            label="Code the app shows now"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            autoFocus
          />
        </Form>
      )}
    </section>
  );
}
