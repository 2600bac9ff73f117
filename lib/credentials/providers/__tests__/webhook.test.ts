import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createCredential, updateCredential } from "@/lib/credentials";
import { signatureHeaders } from "@/lib/notify/signing";
import { newAgent, testCtx } from "@/scripts/testing/fixtures";
import { type SecretManagerOverride, startSecretManager } from "@/scripts/testing/secret-manager";
import type { RotationInput } from "../provider";
import { type WebhookConfig, type WebhookStep, WebhookStepError, webhookConfigSchema, webhookProvider } from "../webhook";

const managers: { close: () => Promise<void> }[] = [];
/** Every error a provider threw in this file, checked at the end for secrets. */
const thrown: Error[] = [];
/** Everything secret in this file: signing keys (raw and as text), secret values, URL tokens. */
const secrets: string[] = [];

async function secretManager(key: Buffer, override?: SecretManagerOverride) {
  const manager = await startSecretManager(key, { override, remember: (s) => secrets.push(s) });
  managers.push(manager);
  return manager;
}

function newKey(): Buffer {
  const key = randomBytes(32);
  secrets.push(key.toString("hex"), key.toString("base64"), key.toString("base64url"));
  return key;
}

function input(config: WebhookConfig, newSecret: string | null = null): RotationInput<WebhookConfig> {
  return { credentialId: randomUUID(), agentId: "agent-webhook-1", config, oldSecret: "webhook-version:v-initial", newSecret };
}

/** The error a step throws, kept for the final secrets check. */
async function failure(p: Promise<unknown>): Promise<WebhookStepError> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof WebhookStepError)) throw err;
    thrown.push(err);
    return err;
  }
  throw new Error("expected the step to fail");
}

afterAll(async () => {
  for (const m of managers) await m.close();
});

describe("webhook credential provider", () => {
  it("walks revoke_old → create_secret → set_secret → test_secret → finish_secret, signed, and promotes the pending version", async () => {
    const key = newKey();
    const manager = await secretManager(key);
    const provider = webhookProvider({ signingKey: () => key });
    const config = provider.configSchema.parse({ url: manager.url, secret_id: "prod/agents/db-password" });
    const base = input(config);

    expect(await provider.revokeOld(base)).toBe(true);
    const { secret } = await provider.create(base);
    expect(secret).toMatch(/^webhook-version:v-[0-9a-f-]{36}$/);
    const versionId = secret.slice("webhook-version:".length);
    expect(manager.versions.get(versionId)?.stage).toBe("pending");
    await provider.apply({ ...base, newSecret: secret });
    expect(await provider.verify({ ...base, newSecret: secret })).toEqual({ newWorks: true, oldRefused: true });

    expect(manager.calls.map((c) => c.step)).toEqual(["revoke_old", "create_secret", "set_secret", "test_secret", "finish_secret"]);
    expect(manager.rejected).toEqual([]);
    expect(manager.versions.get(versionId)?.stage).toBe("current");
    expect(manager.versions.get("v-initial")?.stage).toBe("revoked");
    for (const { step, body } of manager.calls) {
      expect(body).toMatchObject({ step, credential_id: base.credentialId, agent_id: "agent-webhook-1", secret_id: "prod/agents/db-password" });
      expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect("version_id" in body).toBe(step === "set_secret" || step === "test_secret" || step === "finish_secret");
      if ("version_id" in body) expect(body.version_id).toBe(versionId);
    }
    expect(new Set(manager.calls.map((c) => c.body.request_id)).size).toBe(5);
    // The console never holds the secret value: nothing sent carries it.
    const value = manager.versions.get(versionId)?.value ?? "";
    expect(JSON.stringify(manager.calls)).not.toContain(value);
  });

  it("repeats each step safely, as after a crash before its outcome was recorded", async () => {
    const key = newKey();
    const manager = await secretManager(key);
    const provider = webhookProvider({ signingKey: () => key });
    const base = input({ url: manager.url, secret_id: "s-1" });

    const first = await provider.create(base);
    expect(await provider.create(base)).toEqual(first);
    await provider.apply({ ...base, newSecret: first.secret });
    await provider.apply({ ...base, newSecret: first.secret });
    expect(await provider.verify({ ...base, newSecret: first.secret })).toEqual({ newWorks: true, oldRefused: true });
    expect(await provider.verify({ ...base, newSecret: first.secret })).toEqual({ newWorks: true, oldRefused: true });
    expect([...manager.versions.values()].filter((v) => v.stage === "current")).toHaveLength(1);
  });

  it("passes on the manager's revoked: false, and old_refused: null when it cannot tell", async () => {
    const key = newKey();
    const manager = await secretManager(key, (step) =>
      step === "revoke_old"
        ? { status: 200, body: '{"revoked":false}' }
        : step === "test_secret"
          ? { status: 200, body: '{"ok":true,"old_refused":null}' }
          : null,
    );
    const provider = webhookProvider({ signingKey: () => key });
    const base = input({ url: manager.url, secret_id: "s-1" });
    expect(await provider.revokeOld(base)).toBe(false);
    const { secret } = await provider.create(base);
    await provider.apply({ ...base, newSecret: secret });
    expect(await provider.verify({ ...base, newSecret: secret })).toEqual({ newWorks: true, oldRefused: null });
  });

  it("does not promote the new version when the manager's test says the old secret still works", async () => {
    const key = newKey();
    const manager = await secretManager(key, (step) => (step === "test_secret" ? { status: 200, body: '{"ok":true,"old_refused":false}' } : null));
    const provider = webhookProvider({ signingKey: () => key });
    const base = input({ url: manager.url, secret_id: "s-1" });
    await provider.revokeOld(base);
    const { secret } = await provider.create(base);
    await provider.apply({ ...base, newSecret: secret });
    const err = await failure(provider.verify({ ...base, newSecret: secret }));
    expect(err.step).toBe("test_secret");
    expect(err.message).toContain("the old secret still works");
    expect(manager.calls.map((c) => c.step)).not.toContain("finish_secret");
  });

  it("is refused with 401 when signed with the wrong key, and says which step and status", async () => {
    const manager = await secretManager(newKey());
    const wrong = newKey();
    const provider = webhookProvider({ signingKey: () => wrong });
    const err = await failure(provider.revokeOld(input({ url: manager.url, secret_id: "s-1" })));
    expect(err.step).toBe("revoke_old");
    expect(err.status).toBe(401);
    expect(err.message).toMatch(
      /^webhook step revoke_old failed \(HTTP 401\): the endpoint refused the request .*: "bad signature" \(request [0-9a-f-]{36}\)$/,
    );
    expect(manager.rejected).toEqual([{ status: 401, path: expect.stringMatching(/^\/rotate/) }]);
    expect(manager.calls).toEqual([]);
  });

  it("the test endpoint itself rejects missing signatures and timestamps older than 5 minutes", async () => {
    const key = newKey();
    const manager = await secretManager(key);
    const body = JSON.stringify({ step: "revoke_old", credential_id: "c", agent_id: "a", secret_id: "s", request_id: "r" });
    const post = (headers: Record<string, string>) =>
      fetch(manager.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }).then((r) => r.status);
    expect(await post({})).toBe(401);
    expect(await post(signatureHeaders(key.toString("hex"), body, Date.now() - 301_000))).toBe(401);
    expect(await post(signatureHeaders(key.toString("hex"), body, Date.now()))).toBe(200);
  });

  it("fails verify with the endpoint's reason when test_secret answers ok: false, and does not promote", async () => {
    const key = newKey();
    const manager = await secretManager(key);
    const provider = webhookProvider({ signingKey: () => key });
    const base = input({ url: manager.url, secret_id: "s-1" });
    const { secret } = await provider.create(base);
    // apply skipped: the target still holds the old value and refuses the new one.
    const err = await failure(provider.verify({ ...base, newSecret: secret }));
    expect(err.step).toBe("test_secret");
    expect(err.message).toMatch(/^webhook step test_secret failed \(HTTP 200\): the endpoint answered ok: false: "the target refuses the new version"/);
    expect(manager.calls.map((c) => c.step)).toEqual(["create_secret", "test_secret"]);
    expect(manager.versions.get(secret.slice("webhook-version:".length))?.stage).toBe("pending");
  });

  it("quotes at most 300 characters of the endpoint's reason, on one line", async () => {
    const key = newKey();
    const long = `line one\nline two ${"x".repeat(400)}`;
    const manager = await secretManager(key, (step) => (step === "set_secret" ? { status: 200, body: JSON.stringify({ ok: false, error: long }) } : null));
    const provider = webhookProvider({ signingKey: () => key });
    const err = await failure(provider.apply({ ...input({ url: manager.url, secret_id: "s-1" }), newSecret: "webhook-version:v-1" }));
    const quoted = /: "(.*)" \(request/.exec(err.message)?.[1] ?? "";
    expect(quoted).toBe(`line one line two ${"x".repeat(300 - 18)}…`);
    expect(err.message).not.toContain("\n");
  });

  it("refuses a redirect without following it", async () => {
    const key = newKey();
    let manager: Awaited<ReturnType<typeof secretManager>> | null = null;
    manager = await secretManager(key, () => ({ status: 307, body: "", headers: { location: `http://127.0.0.1:${manager?.port}/moved` } }));
    const provider = webhookProvider({ signingKey: () => key });
    const err = await failure(provider.create(input({ url: manager.url, secret_id: "s-1" })));
    expect(err.status).toBe(307);
    expect(err.message).toMatch(/^webhook step create_secret failed \(HTTP 307\): the endpoint answered with a redirect, which is not followed/);
    expect(manager.rejected).toEqual([]);
  });

  it("times out a slow endpoint", async () => {
    const key = newKey();
    const manager = await secretManager(key, (step) => (step === "finish_secret" ? { status: 200, body: '{"ok":true}', delayMs: 2_000 } : null));
    const provider = webhookProvider({ signingKey: () => key, timeoutMs: 200 });
    const base = input({ url: manager.url, secret_id: "s-1" });
    const { secret } = await provider.create(base);
    await provider.apply({ ...base, newSecret: secret });
    const started = performance.now();
    const err = await failure(provider.verify({ ...base, newSecret: secret }));
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(err.step).toBe("finish_secret");
    expect(err.status).toBeNull();
    expect(err.message).toMatch(/^webhook step finish_secret failed \(no HTTP answer\): timed out after 0.2 s/);
  });

  it("rejects an answer that is not the expected JSON, or larger than 64 KiB", async () => {
    const key = newKey();
    const answers: Partial<Record<WebhookStep, string>> = {
      revoke_old: "<html>ok</html>",
      create_secret: '{"version":"v-1"}',
      set_secret: JSON.stringify({ ok: true, padding: "x".repeat(70 * 1024) }),
    };
    const manager = await secretManager(key, (step) => (answers[step] === undefined ? null : { status: 200, body: answers[step] ?? "" }));
    const provider = webhookProvider({ signingKey: () => key });
    const base = input({ url: manager.url, secret_id: "s-1" });
    expect((await failure(provider.revokeOld(base))).message).toMatch(
      /revoke_old failed \(HTTP 200\): the answer is not JSON; expected \{"revoked": true\|false\}/,
    );
    expect((await failure(provider.create(base))).message).toMatch(
      /create_secret failed \(HTTP 200\): the answer is not the expected JSON; expected \{"version_id": "…"\}/,
    );
    expect((await failure(provider.apply({ ...base, newSecret: "webhook-version:v-1" }))).message).toMatch(
      /set_secret failed \(HTTP 200\): the answer is larger than 64 KiB/,
    );
    expect((await failure(provider.apply({ ...base, newSecret: "not-a-version" }))).message).toMatch(/set_secret failed \(not sent\)/);
  });

  it("keeps secrets out of its errors even when the endpoint echoes them", async () => {
    const key = newKey();
    const newSecret = "webhook-version:v-echo";
    const manager = await secretManager(key, (_step, body) => ({
      status: 500,
      body: JSON.stringify({ error: `cannot set ${String(body.version_id)} (${newSecret}) with key ${key.toString("hex")}` }),
    }));
    const provider = webhookProvider({ signingKey: () => key });
    const err = await failure(provider.apply({ ...input({ url: manager.url, secret_id: "s-1" }), newSecret }));
    expect(err.message).toMatch(
      /^webhook step set_secret failed \(HTTP 500\): the endpoint refused the request: "cannot set v-echo \(\*\*\*\) with key \*\*\*"/,
    );
  });

  it("scrubs an echoed key before cutting the reason at 300 characters, so no piece of it survives the cut", async () => {
    const key = newKey();
    const hex = key.toString("hex");
    const manager = await secretManager(key, () => ({ status: 200, body: JSON.stringify({ ok: false, error: `${"y".repeat(280)}${hex}` }) }));
    const provider = webhookProvider({ signingKey: () => key });
    const err = await failure(provider.apply({ ...input({ url: manager.url, secret_id: "s-1" }), newSecret: "webhook-version:v-1" }));
    expect(err.message).toContain(`"${"y".repeat(280)}***"`);
    expect(err.message).not.toContain(hex.slice(0, 16));
  });

  it("accepts https:// anywhere and http:// only on loopback", () => {
    const ok = (url: string) => webhookConfigSchema.safeParse({ url, secret_id: "s-1" });
    expect(ok("https://vault.example.com/v1/rotate").success).toBe(true);
    expect(ok("http://127.0.0.1:8200/rotate").success).toBe(true);
    expect(ok("http://[::1]:8200/rotate").success).toBe(true);
    expect(ok("http://localhost/rotate").success).toBe(true);
    const refused = ok("http://vault.example.com/rotate");
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => i.message)).toEqual(["url: http:// is allowed only for 127.0.0.1, ::1 or localhost; use https://"]);
    expect(ok("http://127.0.0.2/rotate").success).toBe(false);
    expect(ok("http://localhost.example.com/rotate").success).toBe(false);
    expect(ok("ftp://127.0.0.1/rotate").success).toBe(false);
    expect(ok("https://user:pass@vault.example.com/rotate").success).toBe(false);
    expect(webhookConfigSchema.safeParse({ url: "https://vault.example.com", secret_id: " " }).success).toBe(false);
  });

  it("refuses to send for a config that does not pass the schema", async () => {
    const key = newKey();
    const provider = webhookProvider({ signingKey: () => key, post: () => Promise.reject(new Error("must not be called")) });
    const err = await failure(provider.revokeOld(input({ url: "http://vault.example.com/rotate", secret_id: "s-1" })));
    expect(err.message).toMatch(/^webhook step revoke_old failed \(not sent\): the credential's config is invalid: url: http:\/\/ is allowed only/);
  });

  it("refuses, without sending anything, an endpoint on an address the egress policy does not allow", async () => {
    const key = newKey();
    const manager = await secretManager(key);
    const provider = webhookProvider({ signingKey: () => key, egress: { allow: [] } });
    const err = await failure(provider.revokeOld(input({ url: manager.url, secret_id: "s-1" })));
    expect(err.status).toBeNull();
    expect(err.message).toMatch(
      /^webhook step revoke_old failed \(not sent\): refused to send: 127\.0\.0\.1 is a loopback address \(private and special-purpose addresses are reached only when SOC_EGRESS_ALLOW_CIDRS lists them\) \(request [0-9a-f-]{36}\)$/,
    );
    const named = await failure(provider.revokeOld(input({ url: manager.url.replace("127.0.0.1", "localhost"), secret_id: "s-1" })));
    expect(named.message).toMatch(/\(not sent\): refused to send: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(manager.calls).toEqual([]);
    expect(manager.rejected).toEqual([]);
  });

  it("refuses a webhook credential whose URL is on a refused address when it is registered or changed, naming config.url", async () => {
    const { agentId } = await newAgent({ prefix: "webhook-egress" });
    const admin = { ...testCtx(), actor: { type: "cli" as const, id: "test" } };
    await expect(
      createCredential({
        ctx: admin,
        input: { agent_id: agentId, name: "vault", kind: "webhook", config: { url: "https://169.254.169.254/rotate", secret_id: "s-1" } },
      }),
    ).rejects.toMatchObject({
      code: "VALIDATION",
      message: expect.stringContaining("config.url: 169.254.169.254 is a link-local"),
      details: { errors: [{ path: "config.url" }] },
    });
    const { credential } = await createCredential({
      ctx: admin,
      input: { agent_id: agentId, name: "vault", kind: "webhook", config: { url: "https://vault.example.com/rotate", secret_id: "s-1" } },
    });
    await expect(
      updateCredential({ ctx: admin, input: { id: credential.id, body: { config: { url: "https://[fd00::7]/rotate", secret_id: "s-1" } } } }),
    ).rejects.toMatchObject({ code: "VALIDATION", message: expect.stringContaining("config.url: fd00::7 is a unique local (private) address") });
  });

  // Runs last: every error thrown above.
  it("never puts a signing key, secret value or URL token in an error", () => {
    expect(thrown.length).toBeGreaterThanOrEqual(10);
    for (const err of thrown) {
      for (const secret of secrets) expect(err.message).not.toContain(secret);
      expect(err.message).not.toContain("token=");
    }
  });
});
