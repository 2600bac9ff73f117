"use client";

import { useRouter } from "next/navigation";
import { z } from "zod";
import { Field, Form } from "./ui/form";
import { useAction } from "./ui/use-action";

const passwordChange = z
  .object({
    current_password: z.string().min(1, "Enter your current password"),
    new_password: z.string().min(12, "At least 12 characters"),
    repeat: z.string(),
  })
  .refine((p) => p.new_password === p.repeat, { path: ["repeat"], message: "The two new passwords differ" })
  .transform(({ current_password, new_password }) => ({ current_password, new_password }));

export function ChangePasswordForm({ email, required }: { email: string; required: boolean }) {
  const router = useRouter();
  const action = useAction<z.output<typeof passwordChange>>({
    method: "POST",
    url: "/api/v1/auth/password",
    onDone: () => {
      router.replace("/agents");
      router.refresh();
    },
  });
  return (
    <Form schema={passwordChange} action={action} submitLabel="Set password" busyLabel="Saving…" className="panel auth-card" aria-label="Change password">
      <div className="brand">
        Agent<span>SOC</span>
      </div>
      <h1 className="subtitle">
        {required ? `${email}: you signed in with a one-time password. Choose your own to continue.` : `Change the password of ${email}.`}
      </h1>
      <Field label="Current password" name="current_password" type="password" autoComplete="current-password" required />
      <Field label="New password (at least 12 characters)" name="new_password" type="password" autoComplete="new-password" minLength={12} required />
      <Field label="New password again" name="repeat" type="password" autoComplete="new-password" minLength={12} required />
    </Form>
  );
}
