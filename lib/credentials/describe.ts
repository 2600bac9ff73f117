import type { CredentialKind } from "./providers/provider";

/** Who rotates a kind of credential, as the inventory names it. */
export const PROVIDER_LABELS: Record<CredentialKind, string> = {
  ingest_key: "AgentSOC (built-in)",
  hmac_secret: "AgentSOC (built-in)",
  postgres_role: "PostgreSQL role",
  redis_acl_user: "Redis ACL user",
  webhook: "Secret manager (webhook)",
};

export const KIND_LABELS: Record<CredentialKind, string> = {
  ingest_key: "Ingest key",
  hmac_secret: "HMAC signing secret",
  postgres_role: "PostgreSQL role",
  redis_acl_user: "Redis ACL user",
  webhook: "External secret",
};

/** Kinds whose new secret a responder hands over; a secret manager delivers its own. */
export function newSecretIsShownOnce(kind: CredentialKind): boolean {
  return kind !== "webhook";
}

/** Where the credential lives, in one line, from its non-secret config. */
export function credentialLocation(kind: CredentialKind, config: Record<string, unknown>): string {
  const s = (key: string) => (typeof config[key] === "string" || typeof config[key] === "number" ? String(config[key]) : "?");
  switch (kind) {
    case "ingest_key":
      return "AgentSOC ingest (POST /api/v1/ingest)";
    case "hmac_secret":
      return typeof config.purpose === "string" && config.purpose ? `AgentSOC, for ${config.purpose}` : "AgentSOC";
    case "postgres_role":
      return `postgres://${s("role")}@${s("host")}:${s("port")}/${s("database")}`;
    case "redis_acl_user":
      return `redis://${s("username")}@${s("host")}:${s("port")}`;
    case "webhook": {
      let host = "?";
      try {
        host = new URL(s("url")).host;
      } catch {
        // an unparsable URL was refused at registration; show the placeholder
      }
      return `${s("secret_id")} via ${host}`;
    }
  }
}

/**
 * The config as the API, the console and the audit log show it: a webhook URL's query string may
 * carry a token (as Slack's do), so it is shown as `?…`. The full URL is only ever sent to itself.
 */
export function displayConfig(kind: CredentialKind, config: Record<string, unknown>): Record<string, unknown> {
  if (kind !== "webhook" || typeof config.url !== "string") return config;
  try {
    const url = new URL(config.url);
    return { ...config, url: url.search ? `${url.origin}${url.pathname}?…` : url.toString() };
  } catch {
    return { ...config, url: "(unparsable)" };
  }
}
