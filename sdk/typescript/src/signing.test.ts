import { describe, expect, it } from "vitest";
import { MessageRejected } from "./errors.js";
import { MessageSigner, type SecureAgentMessage, signableString, signatureOf } from "./signing.js";

const at = (seconds: number) => () => seconds;

describe("MessageSigner", () => {
  it("makes the signature a Python agent following the guide makes (hmac over the sorted compact JSON)", () => {
    const unsigned = {
      sender_id: "orchestrator",
      recipient_id: "worker-1",
      message_type: "task",
      payload: { action: "analyze_data", dataset: "sales_q1", zeta: [1, 2.5, { b: "é ☃ 😀", a: null, c: true }], Ä: "\x7f\x00\n" },
      timestamp: 1795000000,
      nonce: "a1b2c3d4e5f60718",
    };
    // Computed with the guide's AgentMessage.to_signable_string and hmac.new(...).hexdigest() in Python 3.11.
    expect(signatureOf(unsigned, "secret-orch-w1")).toBe("36ecc7d900d3052f7ef0cf7faa3afc2cd059c426ed116884314cc20d0e7ea79a");
    expect(signatureOf({ ...unsigned, timestamp: 1795000012.345678 }, "sëcret")).toBe("d9b3f6dcc9c54075a8f82d296cb3ec2b84fd55301a1d5538709d84c2eb35334d");
    expect(signableString(unsigned)).toContain('"timestamp":1795000000.0');
  });

  it("verifies a fresh message once, and refuses a replay, a stale or future one, a forgery, a stranger and a misaddressed one", () => {
    const orchestrator = new MessageSigner({ agentId: "orchestrator", peerSecrets: { "worker-1": "s1", "worker-2": "s2" }, now: at(1000) });
    const worker = new MessageSigner({ agentId: "worker-1", peerSecrets: { orchestrator: "s1" }, now: at(1010) });
    const task = (recipient = "worker-1", payload: Record<string, unknown> = { action: "analyze_data" }) =>
      orchestrator.sign({ recipient_id: recipient, message_type: "task", payload });
    const rejected = (message: SecureAgentMessage, by = worker) => {
      try {
        by.verify(message);
        return "verified";
      } catch (err) {
        expect(err).toBeInstanceOf(MessageRejected);
        return (err as MessageRejected).reason;
      }
    };
    const message = task();
    expect(message).toMatchObject({ sender_id: "orchestrator", recipient_id: "worker-1", message_type: "task", timestamp: 1000 });
    expect(message.nonce).toMatch(/^[0-9a-f]{16}$/);

    expect(worker.verify(message)).toBe(message);
    expect(rejected(message)).toBe("Duplicate nonce detected (possible replay attack)");

    const late = new MessageSigner({ agentId: "worker-1", peerSecrets: { orchestrator: "s1" }, now: at(1031) });
    expect(rejected(task(), late)).toBe("Message too old: 31.0s");
    const early = new MessageSigner({ agentId: "worker-1", peerSecrets: { orchestrator: "s1" }, now: at(994) });
    expect(rejected(task(), early)).toBe("Message timestamp is in the future");

    expect(rejected({ ...task("worker-1", { amount: 1 }), payload: { amount: 1000 } })).toBe("Invalid signature");
    expect(rejected({ ...task(), sender_id: "mallory" })).toBe("Unknown sender: mallory");
    expect(rejected(task("worker-2"))).toBe("Message is for worker-2, not worker-1");
    expect(rejected({ ...task(), timestamp: "1000" } as unknown as SecureAgentMessage)).toBe("Message field timestamp must be a number");
  });

  it("signs with the agent's own secret for any peer without one of its own", () => {
    const a = new MessageSigner({ agentId: "a", secret: "own", peerSecrets: { c: "special" }, now: at(5) });
    const b = new MessageSigner({ agentId: "b", secret: "own", now: at(5) });
    const c = new MessageSigner({ agentId: "c", peerSecrets: { a: "special" }, now: at(5) });
    expect(b.verify(a.sign({ recipient_id: "b", message_type: "query", payload: {} })).sender_id).toBe("a");
    expect(c.verify(a.sign({ recipient_id: "c", message_type: "query", payload: {} })).sender_id).toBe("a");
    expect(() => new MessageSigner({ agentId: "x", peerSecrets: {} }).sign({ recipient_id: "y", message_type: "t", payload: {} })).toThrow(
      "No shared secret for agent y",
    );
  });

  it("does not let a forged message use up a nonce the real sender then sends", () => {
    const sender = new MessageSigner({ agentId: "a", secret: "shared", now: at(50) });
    const receiver = new MessageSigner({ agentId: "b", secret: "shared", now: at(50) });
    const real = sender.sign({ recipient_id: "b", message_type: "result", payload: { ok: true } });
    expect(() => receiver.verify({ ...real, signature: "0".repeat(64) })).toThrow("Invalid signature");
    expect(receiver.verify(real)).toBe(real);
  });

  it("forgets nonces once their messages would be refused as too old anyway", () => {
    let now = 100;
    const sender = new MessageSigner({ agentId: "a", secret: "k", now: () => now });
    const receiver = new MessageSigner({ agentId: "b", secret: "k", now: () => now });
    for (let i = 0; i < 100; i++) receiver.verify(sender.sign({ recipient_id: "b", message_type: "query", payload: { i } }));
    now = 200;
    receiver.verify(sender.sign({ recipient_id: "b", message_type: "query", payload: {} }));
    expect((receiver as unknown as { seen: Map<string, number> }).seen.size).toBe(1);
  });
});
