import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Client, MessageRejected, OutputBlocked, type SecureAgentMessage } from "@agentsoc/sdk";
import { expect, test } from "@playwright/test";
import { apiTokens, callApi, consoleUrl, query, registerAgent } from "./sdk-world";

// Agents, CLI calls and a console on a machine shared with other work: generous limits, tight assertions.
test.describe.configure({ timeout: 60_000 });

test("canary(): the console issues and registers the token, checkOutput() blocks it and reports the leak without repeating it", async () => {
  const agent = await registerAgent("e2e-sdk-canary");
  const client = new Client({
    url: consoleUrl(),
    ingestKey: agent.key,
    agentId: agent.agentId,
    adminToken: apiTokens().admin,
    forbiddenPatterns: ["internal pricing sheet"],
    logger: null,
    watchKillSwitch: false,
  });
  try {
    const token = await client.canary({ label: "support system prompt" });
    expect(token).toMatch(/^CANARY-[0-9a-f]{16}$/);
    const { canaries } = (await callApi("GET", `/api/v1/canaries?agent_id=${agent.agentId}`, apiTokens().admin)) as {
      canaries: { token: string; label: string }[];
    };
    expect(canaries).toEqual([expect.objectContaining({ token, label: "support system prompt" })]);

    const s = client.session("sess_canary");
    expect(s.checkOutput("Refunds take 5 days.")).toBe("Refunds take 5 days.");
    expect(() => s.checkOutput(`Sure! My instructions say: ${token.toLowerCase()}`)).toThrow(OutputBlocked);
    expect(() => s.checkOutput("Here is the Internal  Pricing Sheet")).toThrow(expect.objectContaining({ kind: "forbidden_pattern" }));
    expect(await client.flush(10_000)).toBe(true);
  } finally {
    await client.close(1000);
  }
  const stored = await query<{ action_name: string; security_flags: string[]; text: string }>(
    "SELECT action_name, security_flags, concat(input_summary, output_summary, metadata::text) AS text FROM events WHERE agent_id = $1 ORDER BY action_sequence",
    [agent.agentId],
  );
  expect(stored.map((e) => [e.action_name, e.security_flags])).toEqual([
    ["canary_token_leaked", ["canary_token_leaked"]],
    ["forbidden_output_blocked", ["forbidden_output"]],
  ]);
  expect(stored[0]?.text).toContain("support system prompt");
  expect(stored.map((e) => e.text.toLowerCase()).join(" ")).not.toContain("canary-");
});

/** The guide's own AgentMessageSecurity, run by Python: what a Python agent following the guide does with a message. */
function guidePython(script: string, input: unknown): unknown {
  const program = `import sys\n${readFileSync("e2e/sdk/fixtures/guide_message_security.py", "utf8")}\n${script}`;
  const run = spawnSync("/usr/bin/python3", ["-c", program], { input: JSON.stringify(input), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

test("signed messages with a console-issued hmac_secret verify between agents, refuse replays and tampering, and interoperate with the guide's Python code", async () => {
  const [support, billing] = [await registerAgent("e2e-sdk-sign"), await registerAgent("e2e-sdk-billing")];
  const issued = (await callApi("POST", "/api/v1/credentials", apiTokens().admin, {
    agent_id: support.agentId,
    name: "signing",
    kind: "hmac_secret",
    config: { purpose: `messages to ${billing.agentId}` },
  })) as {
    secret: string;
  };
  const sender = new Client({
    url: consoleUrl(),
    ingestKey: support.key,
    agentId: support.agentId,
    hmacSecret: issued.secret,
    watchKillSwitch: false,
    logger: null,
  });
  const receiver = new Client({
    url: consoleUrl(),
    ingestKey: billing.key,
    agentId: billing.agentId,
    peerSecrets: { [support.agentId]: issued.secret },
    watchKillSwitch: false,
    logger: null,
  });
  try {
    const signed = sender.sign({ recipient_id: billing.agentId, message_type: "task", payload: { refund: "ord_42", note: "café ☕" } });
    const wire = JSON.parse(JSON.stringify(signed)) as SecureAgentMessage;
    expect(receiver.verify(wire)).toEqual(signed);
    expect(() => receiver.verify(wire)).toThrow(new MessageRejected("Duplicate nonce detected (possible replay attack)"));
    const tampered = { ...sender.sign({ recipient_id: billing.agentId, message_type: "task", payload: { refund: "ord_42" } }), payload: { refund: "ord_999" } };
    expect(() => receiver.verify(tampered)).toThrow(new MessageRejected("Invalid signature"));

    // A Python agent using the guide's code verifies ours, and we verify one it signed.
    const fromTs = sender.sign({ recipient_id: billing.agentId, message_type: "result", payload: { amount: 12.5, items: [1, 2], text: "naïve ✓" } });
    const pythonVerdict = guidePython(
      `m = json.load(sys.stdin)\nsec = AgentMessageSecurity("${billing.agentId}", {m["sender_id"]: m.pop("secret")})\nprint(json.dumps(sec.verify_message(AgentMessage(**m))))`,
      { ...fromTs, secret: issued.secret },
    );
    expect(pythonVerdict).toEqual([true, "Message verified"]);
    const fromPython = guidePython(
      `a = json.load(sys.stdin)\nsec = AgentMessageSecurity(a["sender"], {a["recipient"]: a["secret"]})\nprint(json.dumps(asdict(sec.create_message(a["recipient"], "query", {"q": "status?", "n": 3, "é": [1.5, None, True]}))))`,
      { sender: support.agentId, recipient: billing.agentId, secret: issued.secret },
    ) as SecureAgentMessage;
    expect(receiver.verify(fromPython).payload).toEqual({ q: "status?", n: 3, é: [1.5, null, true] });
  } finally {
    await sender.close(1000);
    await receiver.close(1000);
  }
});
