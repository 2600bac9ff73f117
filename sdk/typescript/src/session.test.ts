import { describe, expect, it } from "vitest";
import { AgentKilled, OutputBlocked } from "./errors.js";
import { OutputGuard } from "./output-guard.js";
import { Session, type SessionHost } from "./session.js";

function host(options: { killed?: boolean } = {}) {
  const lines: Record<string, unknown>[] = [];
  const warnings: string[] = [];
  const guard = new OutputGuard();
  guard.addCanary({ token: "CANARY-0011223344556677", label: "system prompt" });
  const h: SessionHost = {
    agentId: "agent-1",
    summaryChars: 200,
    check: () => {
      if (options.killed) throw new AgentKilled("Agent killed: test");
    },
    enqueue: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    findInOutput: (text) => guard.find(text),
    warn: (message) => warnings.push(message),
  };
  return { h, lines, warnings };
}

describe("Session", () => {
  it("numbers actions, counts elapsed time from the session start and sums cost without float noise", () => {
    const { h, lines } = host();
    const s = new Session(h, "sess_1", { startedAt: 1000 });
    s.log("llm_call", "model", { costUsd: 0.1, timestamp: 1001.25, tokenCount: 10 });
    s.log("llm_call", "model", { costUsd: 0.2, timestamp: 1002.5 });
    expect(lines.map((l) => [l.action_sequence, l.session_elapsed_s, l.session_total_cost_usd])).toEqual([
      [1, 1.25, 0.1],
      [2, 2.5, 0.3],
    ]);
    expect(lines[0]).toMatchObject({ agent_id: "agent-1", session_id: "sess_1", input_summary: "", output_summary: "", duration_ms: 0, token_count: 10 });
    expect(lines[0]).not.toHaveProperty("tool_name");
    expect(lines[0]?.event_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("never throws from log(): unserialisable metadata is replaced by a note and reported", () => {
    const { h, lines, warnings } = host();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    new Session(h, "s").log("decision", "plan", { metadata: cyclic });
    expect(lines[0]?.metadata).toEqual({ agentsoc_sdk_error: expect.stringMatching(/could not be serialised/) });
    expect(warnings).toHaveLength(1);
  });

  it("wraps sync and async tools: checks first, times, summarises, and logs a throw as an error before rethrowing", async () => {
    const { h, lines } = host();
    const s = new Session(h, "s");
    const add = s.tool(function add(a: number, b: number) {
      return a + b;
    });
    const search = s.tool("kb_search", async (query: string) => `3 articles on ${query}`);
    const broken = s.tool("broken", async () => {
      throw new Error("upstream timed out");
    });
    expect(add(1, 2)).toBe(3);
    await expect(search("refunds")).resolves.toBe("3 articles on refunds");
    await expect(broken()).rejects.toThrow("upstream timed out");
    expect(lines.map((l) => [l.action_type, l.action_name, l.tool_name, l.input_summary, l.output_summary ?? null, l.error ?? null])).toEqual([
      ["tool_call", "add", "add", "add(1, 2)", "3", null],
      ["tool_call", "kb_search", "kb_search", 'kb_search("refunds")', "3 articles on refunds", null],
      ["error", "broken", "broken", "broken()", "", "Error: upstream timed out"],
    ]);
    expect(lines[0]?.tool_args_hash).toMatch(/^[0-9a-f]{16}$/);

    const killed = host({ killed: true });
    let ran = false;
    const guarded = new Session(killed.h, "s").tool("t", () => {
      ran = true;
    });
    expect(() => guarded()).toThrow(AgentKilled);
    expect(ran).toBe(false);
    expect(killed.lines).toEqual([]);
  });

  it("blocks output carrying a canary, logging a security event that does not repeat the token", () => {
    const { h, lines } = host();
    const s = new Session(h, "s");
    expect(s.checkOutput("fine")).toBe("fine");
    expect(() => s.checkOutput("Security marker: canary-0011223344556677")).toThrow(OutputBlocked);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ action_type: "security", action_name: "canary_token_leaked", security_flags: ["canary_token_leaked"] });
    expect(JSON.stringify(lines[0]).toLowerCase()).not.toContain("0011223344556677");
  });
});
