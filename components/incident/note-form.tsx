"use client";

import type { FormEvent } from "react";
import { Button } from "../ui/button";

export function NoteForm({
  formLabel,
  fieldLabel,
  placeholder,
  required,
  submitLabel,
  busy,
  onSubmit,
  onCancel,
}: {
  formLabel: string;
  fieldLabel: string;
  placeholder: string;
  required: boolean;
  submitLabel: string;
  busy: boolean;
  onSubmit: (text: string) => Promise<void>;
  onCancel: () => void;
}) {
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void onSubmit(String(new FormData(event.currentTarget).get("text") ?? "").trim());
  }
  return (
    <form className="reason-form" onSubmit={submit} aria-label={formLabel}>
      <label>
        {fieldLabel}
        <input name="text" required={required} maxLength={4000} placeholder={placeholder} size={48} />
      </label>
      <Button type="submit" variant="primary" busy={busy} busyLabel="Saving…">
        {submitLabel}
      </Button>
      <Button onClick={onCancel} disabled={busy}>
        Cancel
      </Button>
    </form>
  );
}
