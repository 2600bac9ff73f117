"use client";

import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import { Button } from "./button";
import { Notice } from "./notice";

/**
 * A modal dialog on the native <dialog>: showModal() makes the rest of the page inert (focus stays
 * inside), Esc closes it, and focus returns to what opened it. Labelled by its title.
 */
export function Dialog({ open, title, onClose, children }: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      return () => {
        if (dialog.open) dialog.close();
        opener?.focus();
      };
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="panel dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

export interface ConfirmOptions {
  title: string;
  /** What will happen, in a sentence. */
  message?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Ask for a reason (recorded in the audit log). */
  reason?: { label?: string; placeholder?: string; minLength?: number };
  /** A word to type, for actions that stop everything. */
  confirmWord?: string;
  /** Other values to ask for, by name (shown above the reason). */
  fields?: { name: string; label: string; defaultValue?: string; placeholder?: string }[];
  /** Does the work; returns the server's sentence when it refused (the dialog stays open), null when done. */
  onConfirm: (reason: string, values: Record<string, string>) => Promise<string | null>;
}

/** Asks once before an action: optional reason and confirmation word, the server's refusal shown in place. */
export function ConfirmDialog({ open, onClose, ...o }: ConfirmOptions & { open: boolean; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (o.confirmWord && form.get("confirm") !== o.confirmWord) return setProblem(`Type ${o.confirmWord} to confirm`);
    setBusy(true);
    const values = Object.fromEntries((o.fields ?? []).map((f) => [f.name, String(form.get(f.name) ?? "")]));
    const error = await o.onConfirm(String(form.get("reason") ?? "").trim(), values);
    setBusy(false);
    setProblem(error);
    if (!error) onClose();
  }
  const close = () => {
    if (busy) return;
    setProblem(null);
    onClose();
  };
  return (
    <Dialog open={open} title={o.title} onClose={close}>
      <form className="dialog-form" onSubmit={(e) => void submit(e)}>
        {o.message && <div className="dialog-message">{o.message}</div>}
        {o.fields?.map((f) => (
          <label key={f.name}>
            {f.label}
            <input name={f.name} defaultValue={f.defaultValue} placeholder={f.placeholder} autoComplete="off" maxLength={2000} />
          </label>
        ))}
        {o.reason && (
          <label>
            {o.reason.label ?? "Reason"}
            <input
              name="reason"
              required
              minLength={o.reason.minLength ?? 3}
              maxLength={2000}
              placeholder={o.reason.placeholder ?? "what happened"}
              autoComplete="off"
            />
          </label>
        )}
        {o.confirmWord && (
          <label>
            Type {o.confirmWord}
            <input name="confirm" required autoComplete="off" />
          </label>
        )}
        <Notice kind="error">{problem}</Notice>
        <div className="actions dialog-actions">
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant={o.danger ? "danger" : "primary"} busy={busy} busyLabel="Working…">
            {o.confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A button that asks first (ConfirmDialog) and then does the work. */
export function ConfirmButton({
  children,
  variant,
  disabled,
  ariaLabel,
  ...options
}: ConfirmOptions & { children: ReactNode; variant?: "default" | "primary" | "danger"; disabled?: boolean; ariaLabel?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant={variant ?? (options.danger ? "danger" : "default")}
        onClick={() => setOpen(true)}
        disabled={disabled}
        aria-label={ariaLabel}
        aria-haspopup="dialog"
      >
        {children}
      </Button>
      <ConfirmDialog open={open} onClose={() => setOpen(false)} {...options} />
    </>
  );
}

export type AskOptions = Omit<ConfirmOptions, "onConfirm">;
export type Answer = { reason: string; values: Record<string, string> };

/**
 * The dialog for code that asks and then acts (what window.prompt/confirm did): `ask` resolves to the
 * answers, or null when the person cancels. Render `dialog` once in the component.
 */
export function useAsk(): { dialog: ReactNode; ask: (options: AskOptions) => Promise<Answer | null> } {
  const [pending, setPending] = useState<{ options: AskOptions; resolve: (answer: Answer | null) => void } | null>(null);
  const ask = useCallback((options: AskOptions) => new Promise<Answer | null>((resolve) => setPending({ options, resolve })), []);
  const dialog = pending ? (
    <ConfirmDialog
      open
      {...pending.options}
      onConfirm={async (reason, values) => {
        pending.resolve({ reason, values });
        return null;
      }}
      onClose={() => {
        pending.resolve(null);
        setPending(null);
      }}
    />
  ) : null;
  return { dialog, ask };
}
