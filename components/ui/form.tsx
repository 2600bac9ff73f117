"use client";

import {
  createContext,
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useContext,
  useId,
  useState,
} from "react";
import type { z } from "zod";
import { type FieldErrors, zodFieldErrors } from "../api-client";
import { Button } from "./button";
import { Notice } from "./notice";

const FieldErrorsContext = createContext<FieldErrors>({});

/** What a Form sends: the checked body, or the refusal (sentence and fields) to show. */
export interface FormAction<Body> {
  run: (body: Body) => Promise<string | null>;
  busy: boolean;
  fields: FieldErrors;
}

/**
 * A form checked in the browser by a zod schema (the fields it names are marked at once) and then sent
 * through `action` (useAction), whose refusal marks the fields the server named. Field reads its own
 * error by name, so a form lists its fields and nothing else.
 */
export function Form<S extends z.ZodType>({
  schema,
  read = (form) => Object.fromEntries(form),
  action,
  submitLabel,
  busyLabel,
  variant = "primary",
  onDone,
  className,
  children,
  ...rest
}: {
  schema: S;
  /** The body to check, from the form's values (all strings); the default takes them as they are. */
  read?: (form: FormData) => unknown;
  action: FormAction<z.output<S>>;
  submitLabel: string;
  busyLabel?: string;
  variant?: "primary" | "danger";
  onDone?: (form: HTMLFormElement) => void;
  className?: string;
  children: ReactNode;
  "aria-label"?: string;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const [checked, setChecked] = useState<FieldErrors>({});
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const parsed = schema.safeParse(read(new FormData(form)));
    if (!parsed.success) {
      setChecked(zodFieldErrors(parsed.error));
      setProblem("Some fields need a change");
      return;
    }
    setChecked({});
    const refusal = await action.run(parsed.data);
    setProblem(refusal);
    if (refusal === null) onDone?.(form);
  }
  const fields = { ...action.fields, ...checked };
  return (
    <form className={className} onSubmit={(e) => void submit(e)} noValidate {...rest}>
      <FieldErrorsContext.Provider value={fields}>{children}</FieldErrorsContext.Provider>
      <Notice kind="error">{problem}</Notice>
      <Button type="submit" variant={variant} busy={action.busy} busyLabel={busyLabel}>
        {submitLabel}
      </Button>
    </form>
  );
}

type Control =
  | ({ as?: "input" } & InputHTMLAttributes<HTMLInputElement>)
  | ({ as: "select" } & SelectHTMLAttributes<HTMLSelectElement>)
  | ({ as: "textarea" } & TextareaHTMLAttributes<HTMLTextAreaElement>);

/** One labelled control, with its hint and, when its Form or the server named it, its error (announced with the control). */
export function Field({ label, hint, className, ...control }: Control & { name: string; label: ReactNode; hint?: ReactNode; className?: string }) {
  const error = useContext(FieldErrorsContext)[control.name];
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const controlId = control.id ?? `${id}-control`;
  const aria = { id: controlId, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy };
  return (
    <label className={className} htmlFor={controlId}>
      {label}
      {control.as === "select" ? (
        <select {...withoutAs(control)} {...aria} />
      ) : control.as === "textarea" ? (
        <textarea {...withoutAs(control)} {...aria} />
      ) : (
        <input {...withoutAs(control)} {...aria} />
      )}
      {hint && (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </label>
  );
}

function withoutAs<T extends { as?: unknown }>({ as: _as, ...rest }: T): Omit<T, "as"> {
  return rest;
}
