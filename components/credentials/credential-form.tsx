"use client";

import { useState } from "react";
import { z } from "zod";
import { KIND_LABELS } from "@/lib/credentials/describe";
import type { CredentialKind } from "@/lib/credentials/providers/provider";
import type { CreatedCredential, CredentialView } from "@/lib/credentials/views";
import { credentialQueries, rotationQueries } from "../queries";
import { Button } from "../ui/button";
import { Field, Form } from "../ui/form";
import { useAction } from "../ui/use-action";

type AddableKind = Exclude<CredentialKind, "ingest_key">;
const ADDABLE_KINDS: readonly AddableKind[] = ["hmac_secret", "postgres_role", "redis_acl_user", "webhook"];

type ConfigField = { key: string; label: string; placeholder: string; number?: boolean; optional?: boolean };
const CONFIG_FIELDS: Record<CredentialKind, ConfigField[]> = {
  ingest_key: [],
  hmac_secret: [{ key: "purpose", label: "Purpose", placeholder: "messages to billing-agent", optional: true }],
  postgres_role: [
    { key: "role", label: "Role", placeholder: "support_agent" },
    { key: "host", label: "Host", placeholder: "db.internal" },
    { key: "port", label: "Port", placeholder: "5432", number: true },
    { key: "database", label: "Database", placeholder: "app" },
  ],
  redis_acl_user: [
    { key: "username", label: "User name", placeholder: "support-agent" },
    { key: "host", label: "Host", placeholder: "redis.internal" },
    { key: "port", label: "Port", placeholder: "6379", number: true },
  ],
  webhook: [
    { key: "url", label: "Secret manager endpoint", placeholder: "https://secrets.internal/agentsoc" },
    { key: "secret_id", label: "Secret id", placeholder: "prod/support-agent/api-key" },
  ],
};
/** Kinds whose secret in use may be recorded, so that the first rotation can prove it refused. */
const takesCurrentSecret = (kind: CredentialKind) => kind === "postgres_role" || kind === "redis_acl_user";

/** A secret the answer holds this once, to show above the inventory. */
export type Created = { title: string; hint: string; secret: string } | null;

function shownOnce(agentId: string, answer: CreatedCredential): Created {
  const name = answer.credential.name;
  if (answer.secret) return { title: `HMAC signing secret "${name}" for ${agentId}`, hint: "put it in the agent's secret store now", secret: answer.secret };
  if (answer.signing_key)
    return {
      title: `Signing key of "${name}"`,
      hint: "give it to the secret manager's endpoint, which verifies the console's signed calls with it",
      secret: answer.signing_key,
    };
  return null;
}

/** A setting as the inventory shows it, to fill the edit form with. */
function shownValue(editing: CredentialView | null, key: string): string {
  const v = editing?.config[key];
  return typeof v === "string" || typeof v === "number" ? String(v) : "";
}

/**
 * What the browser checks before sending (the server checks each kind's settings in full), and the
 * body it sends: a new credential whole, an edit with its settings only when they changed.
 */
function credentialSchema(agentId: string, kind: CredentialKind, editing: CredentialView | null) {
  const fields = CONFIG_FIELDS[kind];
  const setting = (f: ConfigField) =>
    f.optional ? z.string() : f.number ? z.string().regex(/^\d+$/, "a number") : z.string().min(1, `give the ${f.label.toLowerCase()}`);
  const changed = (config: Record<string, string>) => fields.some((f) => config[f.key] !== shownValue(editing, f.key));
  return z
    .object({
      name: z.string().trim().min(1, "give the credential a name").max(120, "at most 120 characters"),
      config: z.object(Object.fromEntries(fields.map((f) => [f.key, setting(f)]))),
      current_secret: z.string().max(1024, "at most 1024 characters"),
    })
    .superRefine(({ config }, ctx) => {
      // The server shows a webhook URL without its query string (it may hold a token): a changed config must carry the whole URL.
      if (editing && changed(config) && config.url?.endsWith("?…")) {
        ctx.addIssue({
          code: "custom",
          path: ["config", "url"],
          message: "type the whole URL again: it is shown without its query string, which may hold a token",
        });
      }
    })
    .transform(({ name, config: raw, current_secret }) => {
      const config: Record<string, unknown> = {};
      for (const f of fields) {
        if (raw[f.key] === "" && f.optional) continue;
        config[f.key] = f.number ? Number(raw[f.key]) : raw[f.key];
      }
      const secretPart = takesCurrentSecret(kind) && current_secret ? { current_secret } : {};
      return editing ? { name, ...(changed(raw) ? { config } : {}), ...secretPart } : { agent_id: agentId, name, kind, config, ...secretPart };
    });
}

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
      read={(form) => ({
        name: String(form.get("name") ?? ""),
        config: Object.fromEntries(fields.map((f) => [f.key, String(form.get(`config.${f.key}`) ?? "").trim()])),
        current_secret: String(form.get("current_secret") ?? ""),
      })}
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
