"use client";

import { useState } from "react";
import type { z } from "zod";
import { KIND_LABELS } from "@/lib/credentials/describe";
import type { CredentialKind } from "@/lib/credentials/providers/provider";
import type { CreatedCredential, CredentialView } from "@/lib/credentials/views";
import { credentialQueries, rotationQueries } from "../queries";
import { Button } from "../ui/button";
import { Field, Form } from "../ui/form";
import { useAction } from "../ui/use-action";
import { ADDABLE_KINDS, CONFIG_FIELDS, type Created, credentialSchema, readCredentialForm, shownOnce, shownValue, takesCurrentSecret } from "./credential-body";

/** Adds a credential (the kind chooses the settings asked for), or edits one; the server's field errors appear next to the fields. */
export function CredentialForm({
  agentId,
  editing,
  onDone,
  onCancel,
}: {
  agentId: string;
  editing: CredentialView | null;
  onDone: (created: Created) => void;
  onCancel?: () => void;
}) {
  const [kind, setKind] = useState<CredentialKind>(editing?.kind ?? "postgres_role");
  const fields = CONFIG_FIELDS[kind];
  const shownHere = new Set(["kind", "name", "current_secret", ...fields.map((f) => `config.${f.key}`)]);
  const schema = credentialSchema(agentId, kind, editing);
  const action = useAction<z.output<typeof schema>, CreatedCredential>({
    method: editing ? "PATCH" : "POST",
    url: editing ? `/api/v1/credentials/${encodeURIComponent(editing.id)}` : "/api/v1/credentials",
    invalidate: [credentialQueries.ofAgent(agentId).queryKey, rotationQueries.all],
    sentence: ({ message, fields: named }) => {
      const paths = Object.keys(named);
      return paths.length > 0 && paths.every((p) => shownHere.has(p)) ? "Not saved: correct the fields marked in red." : message;
    },
    onDone: (answer) => onDone(editing ? null : shownOnce(agentId, answer)),
  });
  const label = editing ? `Edit credential ${editing.name}` : "Add a credential";

  return (
    <Form
      schema={schema}
      read={(form) => readCredentialForm(kind, form)}
      action={action}
      submitLabel={editing ? "Save" : "Add credential"}
      busyLabel="Saving…"
      onDone={(form) => form.reset()}
      className="form-row credential-form"
      aria-label={label}
    >
      <strong style={{ flexBasis: "100%" }}>{label}</strong>
      {!editing && (
        <Field as="select" label="Kind" name="kind" value={kind} onChange={(e) => setKind(ADDABLE_KINDS.find((k) => k === e.target.value) ?? "postgres_role")}>
          {ADDABLE_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </Field>
      )}
      <Field label="Name" name="name" required maxLength={120} defaultValue={editing?.name} placeholder="orders database login" />
      {fields.map((f) => (
        <Field
          key={`${kind}-${f.key}`}
          label={f.optional ? `${f.label} (optional)` : f.label}
          name={`config.${f.key}`}
          required={!f.optional}
          inputMode={f.number ? "numeric" : undefined}
          size={f.number ? 6 : undefined}
          defaultValue={shownValue(editing, f.key) || undefined}
          placeholder={f.placeholder}
        />
      ))}
      {takesCurrentSecret(kind) && (
        <Field
          label={editing?.secret_known ? "Replace the password in use (optional)" : "Password in use (optional)"}
          name="current_secret"
          type="password"
          autoComplete="off"
        />
      )}
      {editing && (
        <Button onClick={onCancel} disabled={action.busy} className="after-submit">
          Cancel
        </Button>
      )}
      {takesCurrentSecret(kind) && (
        <p className="muted after-submit" style={{ flexBasis: "100%", margin: 0 }}>
          With the password in use, the first rotation can prove it no longer works.
        </p>
      )}
    </Form>
  );
}
