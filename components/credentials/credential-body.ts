import { z } from "zod";
import type { CredentialKind } from "@/lib/credentials/providers/provider";
import type { CreatedCredential, CredentialView } from "@/lib/credentials/views";

type AddableKind = Exclude<CredentialKind, "ingest_key">;
export const ADDABLE_KINDS: readonly AddableKind[] = ["hmac_secret", "postgres_role", "redis_acl_user", "webhook"];

type ConfigField = { key: string; label: string; placeholder: string; number?: boolean; optional?: boolean };
export const CONFIG_FIELDS: Record<CredentialKind, ConfigField[]> = {
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
export const takesCurrentSecret = (kind: CredentialKind) => kind === "postgres_role" || kind === "redis_acl_user";

/** A secret the answer holds this once, to show above the inventory. */
export type Created = { title: string; hint: string; secret: string } | null;

export function shownOnce(agentId: string, answer: CreatedCredential): Created {
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
export function shownValue(editing: CredentialView | null, key: string): string {
  const v = editing?.config[key];
  return typeof v === "string" || typeof v === "number" ? String(v) : "";
}

/**
 * What the browser checks before sending (the server checks each kind's settings in full), and the
 * body it sends: a new credential whole, an edit with its settings only when they changed.
 */
export function credentialSchema(agentId: string, kind: CredentialKind, editing: CredentialView | null) {
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

/** The form's values as the schema reads them: each setting of the kind under `config`, trimmed. */
export function readCredentialForm(kind: CredentialKind, form: FormData) {
  return {
    name: String(form.get("name") ?? ""),
    config: Object.fromEntries(CONFIG_FIELDS[kind].map((f) => [f.key, String(form.get(`config.${f.key}`) ?? "").trim()])),
    current_secret: String(form.get("current_secret") ?? ""),
  };
}
