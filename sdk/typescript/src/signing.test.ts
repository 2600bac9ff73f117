import { describe, expect, it } from "vitest";
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
    const orchestrator = new MessageSigner({ agentId: "orchestrator", secrets: { "worker-1": "s1", "worker-2": "s2" }, now: at(1000) });
    const worker = new MessageSigner({ agentId: "worker-1", secrets: { orchestrator: "s1" }, now: at(1010) });
    const message = orchestrator.sign("worker-1", "task", { action: "analyze_data" });
    expect(message).toMatchObject({ sender_id: "orchestrator", recipient_id: "worker-1", message_type: "task", timestamp: 1000 });
    expect(message.nonce).toMatch(/^[0-9a-f]{16}$/);

    expect(worker.verify(message)).toEqual({ ok: true, reason: "Message verified" });
    expect(worker.verify(message)).toEqual({ ok: false, reason: "Duplicate nonce detected (possible replay attack)" });

    const late = new MessageSigner({ agentId: "worker-1", secrets: { orchestrator: "s1" }, now: at(1031) });
    expect(late.verify(orchestrator.sign("worker-1", "task", {}))).toEqual({ ok: false, reason: "Message too old: 31.0s" });
    const early = new MessageSigner({ agentId: "worker-1", secrets: { orchestrator: "s1" }, now: at(994) });
    expect(early.verify(orchestrator.sign("worker-1", "task", {}))).toEqual({ ok: false, reason: "Message timestamp is in the future" });

    const tampered: SecureAgentMessage = { ...orchestrator.sign("worker-1", "task", { amount: 1 }), payload: { amount: 1000 } };
    expect(worker.verify(tampered)).toEqual({ ok: false, reason: "Invalid signature" });
    expect(worker.verify({ ...orchestrator.sign("worker-1", "task", {}), sender_id: "mallory" })).toEqual({ ok: false, reason: "Unknown sender: mallory" });
    expect(worker.verify(orchestrator.sign("worker-2", "task", {}))).toEqual({ ok: false, reason: "Message is for worker-2, not worker-1" });
    expect(worker.verify({ ...message, timestamp: "1000" } as unknown as SecureAgentMessage)).toEqual({ ok: false, reason: "Message field timestamp must be a number" });
  });

  it("does not let a forged message use up a nonce the real sender then sends", () => {
    const sender = new MessageSigner({ agentId: "a", secrets: "shared", now: at(50) });
    const receiver = new MessageSigner({ agentId: "b", secrets: "shared", now: at(50) });
    const real = sender.sign("b", "result", { ok: true });
    expect(receiver.verify({ ...real, signature: "0".repeat(64) }).ok).toBe(false);
    expect(receiver.verify(real)).toEqual({ ok: true, reason: "Message verified" });
  });

  it("forgets nonces once their messages would be refused as too old anyway", () => {
    let now = 100;
    const sender = new MessageSigner({ agentId: "a", secrets: "k", now: () => now });
    const receiver = new MessageSigner({ agentId: "b", secrets: "k", now: () => now });
    for (let i = 0; i < 100; i++) expect(receiver.verify(sender.sign("b", "query", { i })).ok).toBe(true);
    now = 200;
    receiver.verify(sender.sign("b", "query", {}));
    expect((receiver as unknown as { seen: Map<string, number> }).seen.size).toBe(1);
  });
});
