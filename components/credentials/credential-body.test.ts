import { describe, expect, it } from "vitest";
import type { CredentialView } from "@/lib/credentials/views";
import { zodFieldErrors } from "../api-client";
import { credentialSchema, readCredentialForm } from "./credential-body";

function form(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(values)) data.set(k, v);
  return data;
}

const webhook: CredentialView = {
  id: "6f1c6d8e-0d7c-4a57-9a43-5b0f5f3a2c11",
  agent_id: "billing-agent",
  name: "payments api key",
  kind: "webhook",
  kind_label: "External secret",
  provider: "Secret manager (webhook)",
  location: "prod/payments via vault.example",
  config: { url: "https://vault.example/rotate?…", secret_id: "prod/payments" },
  secret_known: false,
  rotation_state: "never_rotated",
  last_rotated_at: null,
  live_rotation_id: null,
  created_by: "admin@example.com",
  created_at: "2026-12-01T10:00:00.000Z",
  revoked_key_use: null,
};

describe("the credential form's body", () => {
  it("sends a new credential whole: settings trimmed, the port a number, an empty optional left out, the password in use only for kinds that take it", () => {
    const pg = credentialSchema("billing-agent", "postgres_role", null).safeParse(
      readCredentialForm(
        "postgres_role",
        form({
          name: " orders db ",
          "config.role": "orders_agent ",
          "config.host": "db",
          "config.port": "5432",
          "config.database": "orders",
          current_secret: "pw",
        }),
      ),
    );
    expect(pg.data).toEqual({
      agent_id: "billing-agent",
      name: "orders db",
      kind: "postgres_role",
      config: { role: "orders_agent", host: "db", port: 5432, database: "orders" },
      current_secret: "pw",
    });
    const hmac = credentialSchema("billing-agent", "hmac_secret", null).safeParse(
      readCredentialForm("hmac_secret", form({ name: "peer signing", "config.purpose": "", current_secret: "ignored" })),
    );
    expect(hmac.data).toEqual({ agent_id: "billing-agent", name: "peer signing", kind: "hmac_secret", config: {} });
  });

  it("marks each missing or malformed setting by the field's name before anything is sent", () => {
    const parsed = credentialSchema("billing-agent", "redis_acl_user", null).safeParse(
      readCredentialForm("redis_acl_user", form({ name: "", "config.username": "cache", "config.host": "", "config.port": "63x9" })),
    );
    expect(parsed.success).toBe(false);
    expect(Object.keys(parsed.error ? zodFieldErrors(parsed.error) : {}).sort()).toEqual(["config.host", "config.port", "name"]);
  });

  it("an edit sends the settings only when they changed, and a changed webhook config must carry the whole URL (the shown one lacks its query string)", () => {
    const schema = credentialSchema("billing-agent", "webhook", webhook);
    const renamed = schema.safeParse(
      readCredentialForm("webhook", form({ name: "payments key", "config.url": "https://vault.example/rotate?…", "config.secret_id": "prod/payments" })),
    );
    expect(renamed.data).toEqual({ name: "payments key" });

    const moved = schema.safeParse(
      readCredentialForm("webhook", form({ name: "payments key", "config.url": "https://vault.example/rotate?…", "config.secret_id": "prod/other" })),
    );
    expect(moved.success).toBe(false);
    expect(moved.error ? zodFieldErrors(moved.error) : {}).toEqual({ "config.url": expect.stringContaining("type the whole URL again") });

    const whole = schema.safeParse(
      readCredentialForm("webhook", form({ name: "payments key", "config.url": "https://vault.example/rotate?t=1", "config.secret_id": "prod/other" })),
    );
    expect(whole.data).toEqual({ name: "payments key", config: { url: "https://vault.example/rotate?t=1", secret_id: "prod/other" } });
  });
});
