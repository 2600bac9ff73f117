import { describe, expect, it } from "vitest";
import { classifyStep } from "./step-action";

const command = (c: string) => classifyStep({ command: c, tool: null });

describe("classifyStep", () => {
  it("recognises the guide's kill switch, taking its reason or defaulting it", () => {
    expect(command("redis-cli HSET agent:killswitch:{agent_id} killed true reason 'Security incident {incident_id}'")).toEqual({
      kind: "automated",
      action: "kill_agent",
      reasonTemplate: "Security incident {incident_id}",
    });
    expect(command("redis-cli  hset agent:killswitch:{agent_id}  killed true")).toEqual({
      kind: "automated",
      action: "kill_agent",
      reasonTemplate: "Security incident {incident_id}",
    });
    expect(command('redis-cli -h redis.internal -p 6380 HSET agent:killswitch:{agent_id} reason "Leak in {session_id}" killed true')).toEqual({
      kind: "automated",
      action: "kill_agent",
      reasonTemplate: "Leak in {session_id}",
    });
  });

  it("does not take look-alikes of the kill switch for a kill", () => {
    for (const lookAlike of [
      "redis-cli HSET agent:killswitch:{agent_id} killed false",
      "redis-cli HSET agent:killswitch:{agent_id} killed True",
      "redis-cli HSET agent:killswitch:{agent_id} reason 'no killed field'",
      "redis-cli DEL agent:killswitch:{agent_id}",
      "redis-cli HSET agent:killswitch:support-bot killed true",
      "redis-cli HSET agent:killswitch:global killed true",
      "redis-cli HSET agent:killswitch:{agent_id} killed true extra",
      "redis-cli HSET agent:killswitch:{agent_id} killed true paused true",
      "redis-cli -n 3 HSET agent:killswitch:{agent_id} killed true",
      "redis-cli HSET agent:killswitch:{agent_id} killed true; redis-cli DEL agent:killswitch:{agent_id}",
      "redis-cli HSET agent:killswitch:{agent_id} killed true && echo done",
      "redis-cli HSET agent:killswitch:{agent_id} killed true reason $(whoami)",
      "echo redis-cli HSET agent:killswitch:{agent_id} killed true",
    ]) {
      expect(command(lookAlike), lookAlike).toEqual({ kind: "command", command: lookAlike });
    }
  });

  it("recognises the forensics and credential commands with python -m, python3 -m or their script, flags in any order", () => {
    expect(command("python -m agent_forensics snapshot --agent-id {agent_id} --session-id {session_id} --output /incidents/{incident_id}/")).toEqual({
      kind: "automated",
      action: "snapshot",
    });
    expect(command("python3  -m agent_forensics snapshot --output=/tmp/x --session-id {session_id}")).toEqual({ kind: "automated", action: "snapshot" });
    expect(command("agent_forensics snapshot")).toEqual({ kind: "automated", action: "snapshot" });
    expect(command("python -m agent_forensics trace-communications --agent-id {agent_id} --since {incident_start}")).toEqual({
      kind: "automated",
      action: "trace_communications",
      sinceTemplate: "{incident_start}",
    });
    expect(command("/usr/bin/python3.12 -m agent_forensics trace-communications --since '2026-11-24T00:00:00Z' --agent-id {agent_id}")).toEqual({
      kind: "automated",
      action: "trace_communications",
      sinceTemplate: "2026-11-24T00:00:00Z",
    });
    expect(command("python -m agent_forensics trace-communications --agent-id {agent_id}")).toEqual({
      kind: "automated",
      action: "trace_communications",
      sinceTemplate: "{incident_start}",
    });
    expect(command("python -m agent_forensics timeline --session-id {session_id}")).toEqual({ kind: "automated", action: "build_timeline" });
    expect(command("python -m agent_forensics build-timeline")).toEqual({ kind: "automated", action: "build_timeline" });
    expect(command("python -m agent_security rotate-credentials --incident-id {incident_id} --agent-id {agent_id}")).toEqual({
      kind: "automated",
      action: "rotate_credentials",
    });
  });

  it("leaves other commands and look-alikes verbatim for a person", () => {
    for (const other of [
      "python -m agent_forensics snapshot --agent-id other-agent",
      "python -m agent_forensics snapshot --session-id {session_id} --session-id x",
      "python -m agent_forensics snapshot --wipe",
      "python -m agent_forensics snapshot extra-arg",
      "python -m agent_forensics snapshot --agent-id {agent_id} > /tmp/out",
      "python -m agent_forensics export --agent-id {agent_id}",
      "python -m agent_forensics_evil snapshot",
      "python agent_forensics snapshot",
      "python -m agent_security rotate-credentials --agent-id {agent_id} --all-agents x",
      "python -m agent_security revoke-credentials --agent-id {agent_id}",
      "kubectl scale deploy/agent --replicas=0",
    ]) {
      expect(command(other), other).toEqual({ kind: "command", command: other });
    }
  });

  it("maps the timeline tool, shows unknown tools verbatim and makes the rest manual", () => {
    expect(classifyStep({ tool: "agent_forensics.build_timeline" })).toEqual({ kind: "automated", action: "build_timeline" });
    expect(classifyStep({ tool: "agent_forensics.build_timeline_v2" })).toEqual({ kind: "command", command: "agent_forensics.build_timeline_v2" });
    for (const tool of ["constructor", "toString", "__proto__"]) expect(classifyStep({ tool })).toEqual({ kind: "command", command: tool });
    expect(classifyStep({ command: null, tool: null })).toEqual({ kind: "manual" });
    expect(classifyStep({ command: "  ", tool: "" })).toEqual({ kind: "manual" });
  });

  it("lets the command decide when a step has both", () => {
    expect(classifyStep({ command: "./timeline.sh", tool: "agent_forensics.build_timeline" })).toEqual({ kind: "command", command: "./timeline.sh" });
  });
});
