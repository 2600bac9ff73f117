import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type EgressPolicy, EgressRefusedError, egressPolicy, postOutbound } from "@/lib/egress";
import { describeSendError } from "@/lib/notify/retry-schedule";
import { signatureHeaders } from "@/lib/notify/signing";
import type { CredentialProvider, RotationInput } from "./provider";
import { withoutSecrets } from "./random-secret";

/**
 * A credential held in an external secret manager, rotated by driving the manager's own four-step
 * protocol over an HTTPS endpoint: create the pending version, set it in the target, test it, finish
 * by promoting it to current. The console never sees the secret value: the "secret" it records for a
 * webhook credential is `webhook-version:<version_id>`, the opaque id of the pending version.
 *
 * Each call POSTs `{"step", "credential_id", "agent_id", "secret_id", "request_id"}` (plus
 * `version_id` after `create_secret`), signed exactly like notification webhooks (lib/notify/signing):
 * `X-AgentSOC-Timestamp` and `X-AgentSOC-Signature: sha256=<hex HMAC of "<timestamp>.<body>">`. The
 * HMAC key is the hex text of `signingKey(credentialId)`, as notification receivers hold theirs.
 *
 * Every step may be sent again after a crash, so the endpoint must answer a repeat the same way:
 * `create_secret` returns the existing pending version if there is one, `set_secret` sets the same
 * value again, `test_secret` tests the version whatever its stage, `finish_secret` on a version
 * already current answers ok.
 */
export const WEBHOOK_STEPS = ["revoke_old", "create_secret", "set_secret", "test_secret", "finish_secret"] as const;
export type WebhookStep = (typeof WEBHOOK_STEPS)[number];

export const WEBHOOK_VERSION_PREFIX = "webhook-version:";
export const WEBHOOK_TIMEOUT_MS = 10_000;
export const WEBHOOK_MAX_ANSWER_BYTES = 64 * 1024;
const REASON_MAX_CHARS = 300;
const MIN_KEY_BYTES = 16;
const USER_AGENT = "AgentSOC-CredentialRotation/1";
// URL hostnames: an IPv6 address keeps its brackets.
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

export const webhookConfigSchema = z.strictObject({
  url: z
    .string()
    .trim()
    .max(2048, "url: at most 2048 characters")
    .pipe(z.url({ protocol: /^https?$/, hostname: /./, message: "url: expected an https:// address" }))
    .superRefine((value, ctx) => {
      const u = new URL(value);
      if (u.username || u.password) {
        ctx.addIssue({ code: "custom", message: "url: must not carry a user name or password (the requests are signed instead)" });
      }
      if (u.protocol === "http:" && !LOOPBACK_HOSTS.has(u.hostname)) {
        ctx.addIssue({ code: "custom", message: "url: http:// is allowed only for 127.0.0.1, ::1 or localhost; use https://" });
      }
    }),
  secret_id: z.string().trim().min(1, "secret_id: give the secret's id in the external manager").max(512, "secret_id: at most 512 characters"),
});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

const versionIdSchema = z.string().regex(/^[\x21-\x7e]{1,200}$/, "version_id: 1 to 200 printable characters");

const ANSWERS = {
  revoke_old: z.object({ revoked: z.boolean() }),
  create_secret: z.object({ version_id: versionIdSchema }),
  set_secret: z.object({ ok: z.literal(true) }),
  test_secret: z.object({ ok: z.literal(true), old_refused: z.boolean().nullable().optional() }),
  finish_secret: z.object({ ok: z.literal(true) }),
} satisfies Record<WebhookStep, z.ZodType>;

const EXPECTED: Record<WebhookStep, string> = {
  revoke_old: '{"revoked": true|false}',
  create_secret: '{"version_id": "…"}',
  set_secret: '{"ok": true}',
  test_secret: '{"ok": true, "old_refused": true|false|null}',
  finish_secret: '{"ok": true}',
};

/** A step that failed: which, the HTTP status (null when no answer came) and why, with no secret in the message. */
export class WebhookStepError extends Error {
  readonly step: WebhookStep;
  readonly status: number | null;
  /** Retrying cannot help: the console's egress policy refuses the endpoint's address. */
  readonly permanent: boolean;

  constructor(step: WebhookStep, status: number | null, message: string, permanent = false) {
    super(message);
    this.name = "WebhookStepError";
    this.step = step;
    this.status = status;
    this.permanent = permanent;
  }
}

export interface WebhookProviderOptions {
  /** The HMAC key for one credential; the endpoint verifies with its hex text. */
  signingKey: (credentialId: string) => Buffer;
  post?: typeof postOutbound;
  timeoutMs?: number;
  /** Which addresses the endpoint may have; the console's SOC_EGRESS_ALLOW_CIDRS policy when not given. */
  egress?: EgressPolicy;
}

/** The version id a webhook credential's "secret" stands for. */
export function versionIdOf(secret: string): string | null {
  if (!secret.startsWith(WEBHOOK_VERSION_PREFIX)) return null;
  const id = secret.slice(WEBHOOK_VERSION_PREFIX.length);
  return versionIdSchema.safeParse(id).success ? id : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function endpointReason(body: unknown): string | null {
  if (typeof body !== "object" || body === null || !("error" in body) || typeof body.error !== "string") return null;
  return body.error;
}

export function webhookProvider(opts: WebhookProviderOptions): CredentialProvider<WebhookConfig> {
  const post = opts.post ?? postOutbound;
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;

  async function call<S extends WebhookStep>(step: S, input: RotationInput<WebhookConfig>, versionId: string | null): Promise<z.infer<(typeof ANSWERS)[S]>> {
    const requestId = randomUUID();
    const parsedConfig = webhookConfigSchema.safeParse(input.config);
    const config = parsedConfig.success ? parsedConfig.data : null;
    const key = opts.signingKey(input.credentialId).toString("hex");
    const rawUrl: unknown = (input.config as { url?: unknown } | null)?.url;
    const secrets = [key, typeof rawUrl === "string" ? rawUrl : null, config?.url ?? null, input.oldSecret, input.newSecret];
    const fail = (status: number | null, why: string, sent = true, permanent = false): WebhookStepError =>
      new WebhookStepError(
        step,
        status,
        withoutSecrets(
          `webhook step ${step} failed (${!sent ? "not sent" : status === null ? "no HTTP answer" : `HTTP ${status}`}): ${why} (request ${requestId})`,
          secrets,
        ),
        permanent,
      );
    // The endpoint's own words, quoted: scrubbed before truncating so no part of a secret survives the cut.
    const quote = (reason: string): string => {
      const clean = withoutSecrets(reason, secrets).replace(/[\u0000-\u001f\u007f]/g, " ");
      return `"${clean.length > REASON_MAX_CHARS ? `${clean.slice(0, REASON_MAX_CHARS)}…` : clean}"`;
    };

    if (!config) throw fail(null, `the credential's config is invalid: ${parsedConfig.error?.issues.map((i) => i.message).join("; ")}`, false);
    if (key.length < MIN_KEY_BYTES * 2) throw fail(null, "no signing key for this credential", false);

    const body = JSON.stringify({
      step,
      credential_id: input.credentialId,
      agent_id: input.agentId,
      secret_id: config.secret_id,
      request_id: requestId,
      ...(versionId === null ? {} : { version_id: versionId }),
    });
    const headers = {
      "content-type": "application/json",
      accept: "application/json",
      "user-agent": USER_AGENT,
      ...signatureHeaders(key, body, Date.now()),
    };

    let status: number;
    let text: string | null;
    try {
      const res = await post({ url: config.url, headers, body, timeoutMs, maxAnswerBytes: WEBHOOK_MAX_ANSWER_BYTES, policy: opts.egress ?? egressPolicy() });
      status = res.status;
      text = res.body;
    } catch (err) {
      const refused = err instanceof EgressRefusedError;
      throw fail(null, describeSendError(err, timeoutMs), !refused, refused);
    }
    if (status >= 300 && status < 400) throw fail(status, "the endpoint answered with a redirect, which is not followed");
    if (text === null) throw fail(status, `the answer is larger than ${WEBHOOK_MAX_ANSWER_BYTES / 1024} KiB`);

    const answer = parseJson(text);
    const reason = endpointReason(answer);
    if (status < 200 || status >= 300) {
      const hint = status === 401 || status === 403 ? " (is the endpoint verifying with this credential's signing key?)" : "";
      throw fail(status, `the endpoint refused the request${hint}${reason === null ? "" : `: ${quote(reason)}`}`);
    }
    if (typeof answer === "object" && answer !== null && "ok" in answer && answer.ok === false) {
      throw fail(status, `the endpoint answered ok: false${reason === null ? " without a reason" : `: ${quote(reason)}`}`);
    }
    const parsed = ANSWERS[step].safeParse(answer);
    if (!parsed.success) {
      throw fail(status, `${answer === undefined ? "the answer is not JSON" : "the answer is not the expected JSON"}; expected ${EXPECTED[step]}`);
    }
    return parsed.data as z.infer<(typeof ANSWERS)[S]>;
  }

  function pendingVersion(step: WebhookStep, newSecret: string): string {
    const id = versionIdOf(newSecret);
    if (id === null)
      throw new WebhookStepError(step, null, `webhook step ${step} failed (not sent): the new secret is not a "${WEBHOOK_VERSION_PREFIX}<id>" reference`);
    return id;
  }

  return {
    kind: "webhook",
    configSchema: webhookConfigSchema,

    async revokeOld(input) {
      return (await call("revoke_old", input, null)).revoked;
    },

    async create(input) {
      const { version_id } = await call("create_secret", input, null);
      return { secret: `${WEBHOOK_VERSION_PREFIX}${version_id}` };
    },

    async apply(input) {
      await call("set_secret", input, pendingVersion("set_secret", input.newSecret));
    },

    async verify(input) {
      const versionId = pendingVersion("test_secret", input.newSecret);
      const tested = await call("test_secret", input, versionId);
      // The manager's answer decides: a new version next to an old one that still works is not promoted.
      if (tested.old_refused === false)
        throw new WebhookStepError(
          "test_secret",
          200,
          "webhook step test_secret: the secret manager says the old secret still works; the new version was not promoted",
        );
      await call("finish_secret", input, versionId);
      return { newWorks: true, oldRefused: tested.old_refused ?? null };
    },
  };
}
