import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { MessageRejected } from "./errors.js";
import { canonicalJson, PythonFloat } from "./python-json.js";

/** The guide's signed agent-to-agent message (its `AgentMessage` dataclass), field for field. */
export interface SecureAgentMessage {
  sender_id: string;
  recipient_id: string;
  /** "task" | "result" | "query" | "control" in the guide; any string is signed. */
  message_type: string;
  payload: Record<string, unknown>;
  /** Epoch seconds (float) when the message was made. */
  timestamp: number;
  nonce: string;
  signature: string;
}

/** What a sender fills in; sign() adds sender_id, timestamp, nonce and signature. */
export interface OutgoingMessage {
  recipient_id: string;
  message_type: string;
  payload: Record<string, unknown>;
}

export interface MessageSignerOptions {
  agentId: string;
  /** The agent's own `hmac_secret` credential: used with every peer that has no secret of its own below. */
  secret?: string | null;
  /** Secrets per peer agent id, as the guide's `shared_secrets`. */
  peerSecrets?: Readonly<Record<string, string>>;
  /** Messages older than this are refused (the guide's 30 s). */
  maxAgeSeconds?: number;
  /** How far in the future a timestamp may be, for clock skew (the guide's 5 s). */
  maxFutureSeconds?: number;
  /** Clock, for tests: epoch seconds. */
  now?: () => number;
}

/** The string the guide signs: every field but the signature, as Python's json.dumps(sort_keys=True, separators=(",", ":")) writes it. */
export function signableString(message: Omit<SecureAgentMessage, "signature">): string {
  return canonicalJson({
    sender_id: message.sender_id,
    recipient_id: message.recipient_id,
    message_type: message.message_type,
    payload: message.payload,
    timestamp: new PythonFloat(message.timestamp),
    nonce: message.nonce,
  });
}

export function signatureOf(message: Omit<SecureAgentMessage, "signature">, secret: string): string {
  return createHmac("sha256", secret).update(signableString(message), "utf8").digest("hex");
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Signs and verifies the guide's agent-to-agent messages with HMAC-SHA256: a fresh timestamp, a
 * nonce each receiver accepts once, and the recipient named inside what is signed.
 */
export class MessageSigner {
  readonly agentId: string;
  private readonly secret: string | null;
  private readonly peerSecrets: Readonly<Record<string, string>>;
  private readonly maxAgeSeconds: number;
  private readonly maxFutureSeconds: number;
  private readonly now: () => number;
  /** Nonces seen, with the message time: forgotten once such a message would be refused as too old anyway. */
  private readonly seen = new Map<string, number>();

  constructor(options: MessageSignerOptions) {
    this.agentId = options.agentId;
    this.secret = options.secret ?? null;
    this.peerSecrets = options.peerSecrets ?? {};
    this.maxAgeSeconds = options.maxAgeSeconds ?? 30;
    this.maxFutureSeconds = options.maxFutureSeconds ?? 5;
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  private secretFor(peerId: string): string | null {
    return (Object.hasOwn(this.peerSecrets, peerId) ? this.peerSecrets[peerId] : undefined) ?? this.secret;
  }

  /** A new signed message from this agent (the guide's create_message). */
  sign(message: OutgoingMessage): SecureAgentMessage {
    const secret = this.secretFor(message.recipient_id);
    if (!secret) throw new Error(`No shared secret for agent ${message.recipient_id}`);
    const unsigned = {
      sender_id: this.agentId,
      recipient_id: message.recipient_id,
      message_type: message.message_type,
      payload: message.payload,
      timestamp: this.now(),
      nonce: randomBytes(8).toString("hex"),
    };
    return { ...unsigned, signature: signatureOf(unsigned, secret) };
  }

  /**
   * The guide's verify_message: known sender, addressed here, fresh, authentic, and never seen
   * before. Returns the message, or throws MessageRejected with the reason: a check that is
   * forgotten cannot let a forged message through.
   */
  verify(message: SecureAgentMessage): SecureAgentMessage {
    const verdict = this.check(message);
    if (!verdict.ok) throw new MessageRejected(verdict.reason);
    return message;
  }

  private check(message: SecureAgentMessage): { ok: true } | { ok: false; reason: string } {
    const shape = shapeProblem(message);
    if (shape) return { ok: false, reason: shape };
    const secret = this.secretFor(message.sender_id);
    if (!secret) return { ok: false, reason: `Unknown sender: ${message.sender_id}` };
    if (message.recipient_id !== this.agentId) return { ok: false, reason: `Message is for ${message.recipient_id}, not ${this.agentId}` };
    const now = this.now();
    const age = now - message.timestamp;
    if (age > this.maxAgeSeconds) return { ok: false, reason: `Message too old: ${age.toFixed(1)}s` };
    if (age < -this.maxFutureSeconds) return { ok: false, reason: "Message timestamp is in the future" };
    let expected: string;
    try {
      expected = signatureOf(message, secret);
    } catch (err) {
      return { ok: false, reason: `Message cannot be verified: ${(err as Error).message}` };
    }
    if (!sameHex(message.signature, expected)) return { ok: false, reason: "Invalid signature" };
    // Recorded only for authentic messages, so forged ones cannot use up a sender's nonces.
    this.forgetOldNonces(now);
    if (this.seen.has(message.nonce)) return { ok: false, reason: "Duplicate nonce detected (possible replay attack)" };
    this.seen.set(message.nonce, message.timestamp);
    return { ok: true };
  }

  private forgetOldNonces(now: number): void {
    for (const [nonce, at] of this.seen) if (now - at > this.maxAgeSeconds) this.seen.delete(nonce);
  }
}

function shapeProblem(message: unknown): string | null {
  if (typeof message !== "object" || message === null) return "Message is not an object";
  const m = message as Record<string, unknown>;
  for (const field of ["sender_id", "recipient_id", "message_type", "nonce", "signature"] as const) {
    if (typeof m[field] !== "string") return `Message field ${field} must be a string`;
  }
  if (typeof m.timestamp !== "number" || !Number.isFinite(m.timestamp)) return "Message field timestamp must be a number";
  if (typeof m.payload !== "object" || m.payload === null || Array.isArray(m.payload)) return "Message field payload must be an object";
  return null;
}
