import { describe, expect, it } from "vitest";
import { agentIdOfKey, agentKey, agentKillFields, eventMessage, globalKillValue, parseAgentHash, parseGlobalValue } from "./contract";

describe("the Redis kill-switch contract", () => {
  it('writes the agent hash as the reference implementation does: strings, killed = "true"', () => {
    expect(agentKey("support-agent-v1")).toBe("agent:killswitch:support-agent-v1");
    expect(agentKillFields({ reason: "Prompt injection detected", killedBy: "user:jane@example.com", killedAtMs: 1_795_000_000_123 })).toEqual({
      killed: "true",
      reason: "Prompt injection detected",
      killed_by: "user:jane@example.com",
      killed_at: "1795000000.123",
    });
  });

  it("writes the global key and messages as Python's json.dumps would", () => {
    expect(globalKillValue({ reason: "Security incident", killedBy: "oncall", killedAtMs: 1_795_000_000_500 })).toBe(
      '{"killed": true, "reason": "Security incident", "killed_by": "oncall", "killed_at": 1795000000.5}',
    );
    expect(eventMessage({ action: "kill", agent_id: "a1", reason: "r", killed_by: "u" })).toBe(
      '{"action": "kill", "agent_id": "a1", "reason": "r", "killed_by": "u"}',
    );
    expect(eventMessage({ action: "revive", agent_id: "a1", revived_by: "u" })).toBe('{"action": "revive", "agent_id": "a1", "revived_by": "u"}');
  });

  it("writes whole seconds and non-ASCII text as Python does", () => {
    expect(agentKillFields({ reason: "r", killedBy: "u", killedAtMs: 1_795_000_000_000 }).killed_at).toBe("1795000000.0");
    expect(globalKillValue({ reason: "Sécurité ☠", killedBy: "u", killedAtMs: 1_795_000_000_000 })).toBe(
      '{"killed": true, "reason": "S\\u00e9curit\\u00e9 \\u2620", "killed_by": "u", "killed_at": 1795000000.0}',
    );
  });

  it("reads hand-written values the way agents do", () => {
    expect(parseAgentHash({ killed: "true", reason: "Prompt injection detected", killed_by: "security-team" })).toEqual({
      killed: true,
      reason: "Prompt injection detected",
      killedBy: "security-team",
      killedAtMs: undefined,
    });
    expect(parseAgentHash({ killed: "false" })?.killed).toBe(false);
    expect(parseAgentHash({})).toBeNull();
    expect(parseGlobalValue('{"killed": true, "reason": "Security incident", "killed_by": "oncall-engineer"}')).toMatchObject({
      killed: true,
      reason: "Security incident",
    });
    expect(parseGlobalValue("not json")?.killed).toBe(true);
    expect(parseGlobalValue(null)).toBeNull();
  });

  it("tells agent keys from the global key and the channel", () => {
    expect(agentIdOfKey("agent:killswitch:code-runner")).toBe("code-runner");
    expect(agentIdOfKey("agent:killswitch:global")).toBeNull();
    expect(agentIdOfKey("agent:killswitch:events")).toBeNull();
    expect(agentIdOfKey("agentsoc:killswitch:marker")).toBeNull();
  });
});
