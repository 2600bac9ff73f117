import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebhookStep } from "@/lib/credentials/providers/webhook";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from "@/lib/notify/signing";

export interface SecretVersion {
  value: string;
  stage: "pending" | "current" | "previous" | "revoked";
}

export interface SecretManagerCall {
  step: WebhookStep;
  body: Record<string, unknown>;
}

/** Replaces the answer of a step (after the signature check) to play a failing or hanging manager; null answers normally. */
export type SecretManagerOverride = (
  step: WebhookStep,
  body: Record<string, unknown>,
) => { status: number; body: string; headers?: Record<string, string>; delayMs?: number } | "hang" | null;

/**
 * A secret manager's rotation endpoint on loopback, for tests: verifies the console's signature (401
 * when missing, wrong or older than 5 minutes), keeps versions in memory, and sets the "target" to
 * the value it accepts. Answers a repeated step as the protocol asks (create_secret returns the
 * pending version it already made). Every secret it makes is passed to `remember`.
 */
export async function startSecretManager(key: Buffer, opts: { override?: SecretManagerOverride; remember?: (secret: string) => void } = {}) {
  const remember = opts.remember ?? (() => undefined);
  const override = opts.override ?? (() => null);
  const keyText = key.toString("hex");
  const versions = new Map<string, SecretVersion>();
  const initial = randomBytes(24).toString("base64url");
  versions.set("v-initial", { value: initial, stage: "current" });
  remember(initial);
  const state = { target: initial as string | null, oldValue: initial };
  const calls: SecretManagerCall[] = [];
  const rejected: { status: number; path: string }[] = [];

  const answer = (step: WebhookStep, body: Record<string, unknown>): { status: number; json: unknown } => {
    const versionId = typeof body.version_id === "string" ? body.version_id : "";
    const version = versions.get(versionId);
    switch (step) {
      case "revoke_old": {
        for (const v of versions.values()) if (v.stage === "current") v.stage = "revoked";
        if (state.target === state.oldValue) state.target = null;
        return { status: 200, json: { revoked: true } };
      }
      case "create_secret": {
        for (const [id, v] of versions) if (v.stage === "pending") return { status: 200, json: { version_id: id } };
        const id = `v-${randomUUID()}`;
        const value = randomBytes(24).toString("base64url");
        remember(value);
        versions.set(id, { value, stage: "pending" });
        return { status: 200, json: { version_id: id } };
      }
      case "set_secret":
        if (!version) return { status: 404, json: { ok: false, error: "no such version" } };
        state.target = version.value;
        return { status: 200, json: { ok: true } };
      case "test_secret":
        if (!version) return { status: 404, json: { ok: false, error: "no such version" } };
        if (state.target !== version.value) return { status: 200, json: { ok: false, error: "the target refuses the new version" } };
        return { status: 200, json: { ok: true, old_refused: state.target !== state.oldValue } };
      case "finish_secret":
        if (!version) return { status: 404, json: { ok: false, error: "no such version" } };
        for (const v of versions.values()) if (v.stage === "current") v.stage = "previous";
        version.stage = "current";
        return { status: 200, json: { ok: true } };
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => {
        const v = req.headers[name.toLowerCase()];
        return typeof v === "string" ? v : null;
      };
      const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(body);
      };
      if (req.method !== "POST" || req.url === "/moved") {
        rejected.push({ status: 404, path: req.url ?? "" });
        return reply(404, JSON.stringify({ error: "not here" }));
      }
      if (!verifySignature({ signingKey: keyText, rawBody, timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER) })) {
        rejected.push({ status: 401, path: req.url ?? "" });
        return reply(401, JSON.stringify({ error: "bad signature" }));
      }
      const body = JSON.parse(rawBody) as Record<string, unknown>;
      const step = body.step as WebhookStep;
      calls.push({ step, body });
      const special = override(step, body);
      if (special === "hang") return;
      if (special) {
        const send = () => reply(special.status, special.body, special.headers);
        if (special.delayMs) setTimeout(send, special.delayMs).unref();
        else send();
        return;
      }
      const { status, json } = answer(step, body);
      reply(status, JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  // The query string stands in for a token a real endpoint URL may carry.
  const token = `tok-${randomUUID()}`;
  remember(token);
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url: `http://127.0.0.1:${port}/rotate?token=${token}`, port, versions, state, calls, rejected, close };
}
