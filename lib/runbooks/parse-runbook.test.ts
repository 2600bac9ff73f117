import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { parseRunbook, type RunbookError } from "./parse-runbook";
import { AGENT_COMPROMISE_RUNBOOK } from "./shipped/agent-compromise";

function failure(yamlText: string): { message: string; errors: RunbookError[] } {
  try {
    parseRunbook(yamlText);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.code).toBe("VALIDATION");
    return { message: err.message, errors: err.details?.errors as RunbookError[] };
  }
  throw new Error("expected the runbook to be refused");
}

const lines = (...l: string[]) => `${l.join("\n")}\n`;

const MINIMAL = lines(
  "agent_compromise_runbook:", // 1
  "  severity: critical", //      2
  "  immediate_actions:", //      3
  '    - step: "Kill it"', //     4
);

describe("parseRunbook on the guide's runbook", () => {
  const runbook = parseRunbook(AGENT_COMPROMISE_RUNBOOK);

  it("reads name, severity, escalation path and the four phases in the guide's order", () => {
    expect(runbook.name).toBe("agent_compromise_runbook");
    expect(runbook.severity).toBe("critical");
    expect(runbook.escalationPath).toEqual(["oncall_engineer", "security_team_lead", "cto"]);
    expect(runbook.phases.map((p) => [p.key, p.title])).toEqual([
      ["immediate_actions", "Immediate actions"],
      ["investigation_steps", "Investigation"],
      ["remediation_steps", "Remediation"],
      ["post_incident", "Post-incident"],
    ]);
  });

  it("gives each of the 9 steps a stable id, its timeout and what the console can do for it", () => {
    const steps = runbook.phases.flatMap((p) => p.steps);
    expect(steps.map((s) => s.id)).toEqual([
      "immediate_actions.1",
      "immediate_actions.2",
      "immediate_actions.3",
      "investigation_steps.1",
      "investigation_steps.2",
      "remediation_steps.1",
      "remediation_steps.2",
      "post_incident.1",
      "post_incident.2",
    ]);
    expect(steps.map((s) => s.timeoutSeconds)).toEqual([30, 120, 300, null, null, null, null, null, null]);
    expect(steps.map((s) => s.timeoutText)).toEqual(["30 seconds", "2 minutes", "5 minutes", null, null, null, null, null, null]);
    expect(steps.map((s) => s.action)).toEqual([
      { kind: "automated", action: "kill_agent", reasonTemplate: "Security incident {incident_id}" },
      { kind: "automated", action: "snapshot" },
      { kind: "automated", action: "trace_communications", sinceTemplate: "{incident_start}" },
      { kind: "automated", action: "build_timeline" },
      { kind: "manual" },
      { kind: "automated", action: "rotate_credentials" },
      { kind: "manual" },
      { kind: "manual" },
      { kind: "manual" },
    ]);
  });

  it("keeps each step's own words", () => {
    const [kill] = runbook.phases[0]?.steps ?? [];
    expect(kill).toMatchObject({
      phase: "immediate_actions",
      index: 0,
      title: "Activate kill switch for the compromised agent",
      command: "redis-cli HSET agent:killswitch:{agent_id} killed true reason 'Security incident {incident_id}'",
      tool: null,
      description: null,
    });
    const timeline = runbook.phases[1]?.steps[0];
    expect(timeline).toMatchObject({
      tool: "agent_forensics.build_timeline",
      description: "Reconstruct the full sequence of agent actions during the affected period",
    });
  });

  it("reads the guide's full runbook as printed, block-list escalation path and whitespace-only lines included", () => {
    const full = parseRunbook(
      lines(
        "# incident-response-runbook.yaml",
        "agent_compromise_runbook:",
        "  severity: critical",
        "  escalation_path:",
        "    - oncall_engineer",
        "    - security_team_lead",
        "    - cto",
        " ",
        "  immediate_actions:",
        '    - step: "Activate kill switch for the compromised agent"',
        `      command: "redis-cli HSET agent:killswitch:{agent_id} killed true reason 'Security incident {incident_id}'"`,
        '      timeout: "30 seconds"',
        " ",
        '    - step: "Check for data exfiltration"',
        '      description: "Review all outbound API calls and responses for sensitive data"',
        " ",
        "  post_incident:",
        '    - step: "Conduct blameless post-mortem"',
        '    - step: "Update this runbook with lessons learned"',
      ),
    );
    expect(full.escalationPath).toEqual(["oncall_engineer", "security_team_lead", "cto"]);
    expect(full.phases.map((p) => p.steps.length)).toEqual([2, 2]);
  });
});

describe("parseRunbook's other phases", () => {
  it("puts unknown phases after the known ones in file order, titled from their key", () => {
    const runbook = parseRunbook(
      lines(
        "r:",
        "  severity: low",
        "  customer_comms:",
        "    - step: Tell customers",
        "  post_incident:",
        "    - step: Post-mortem",
        "  containment_steps:",
        "    - step: Contain",
        "  immediate_actions:",
        "    - step: Kill",
      ),
    );
    expect(runbook.phases.map((p) => [p.key, p.title])).toEqual([
      ["immediate_actions", "Immediate actions"],
      ["post_incident", "Post-incident"],
      ["customer_comms", "Customer comms"],
      ["containment_steps", "Containment steps"],
    ]);
    expect(runbook.phases[2]?.steps[0]?.id).toBe("customer_comms.1");
    expect(runbook.escalationPath).toEqual([]);
  });

  it("accepts the short timeout forms", () => {
    const runbook = parseRunbook(
      lines(
        "r:",
        "  severity: high",
        "  immediate_actions:",
        "    - {step: a, timeout: 90s}",
        "    - {step: b, timeout: 5m}",
        "    - {step: c, timeout: 1h}",
        '    - {step: d, timeout: "1 hour"}',
      ),
    );
    expect(runbook.phases[0]?.steps.map((s) => s.timeoutSeconds)).toEqual([90, 300, 3600, 3600]);
  });
});

describe("parseRunbook refusals name line and field", () => {
  it("reports a YAML syntax error (a step's key indented wrongly) at its line", () => {
    const { message, errors } = failure(
      lines(
        "agent_compromise_runbook:", //                                  1
        "  severity: critical", //                                       2
        "  immediate_actions:", //                                       3
        '    - step: "Activate kill switch for the compromised agent"', // 4
        '     command: "redis-cli HSET agent:killswitch:{agent_id} killed true"', // 5
      ),
    );
    expect(errors[0]).toMatchObject({ line: 5, path: "" });
    expect(errors[0]?.message).toMatch(/^invalid YAML: /);
    expect(message).toMatch(/^line 5: invalid YAML: /);
  });

  it("reports a missing severity against the runbook's name", () => {
    const { message, errors } = failure(lines("agent_compromise_runbook:", "  immediate_actions:", '    - step: "Kill"'));
    expect(errors).toEqual([{ line: 1, column: 1, path: "severity", message: "missing: a runbook needs a severity (low, medium, high or critical)" }]);
    expect(message).toBe("line 1, severity: missing: a runbook needs a severity (low, medium, high or critical)");
  });

  it("reports an unknown severity at its value", () => {
    const { errors } = failure(MINIMAL.replace("severity: critical", "severity: urgent"));
    expect(errors).toEqual([{ line: 2, column: 13, path: "severity", message: 'expected one of low, medium, high or critical, not "urgent"' }]);
  });

  it("reports a step without step at the step", () => {
    const { errors } = failure(lines("r:", "  severity: low", "  immediate_actions:", "    - step: ok", '    - description: "no title"'));
    expect(errors).toEqual([{ line: 5, column: 7, path: "immediate_actions[1].step", message: 'missing: every step needs a title (step: "…")' }]);
  });

  it("reports a misspelt key at that key, naming the allowed ones", () => {
    const { message, errors } = failure(
      lines(
        "r:", //                      1
        "  severity: low", //         2
        "  immediate_actions:", //    3
        "    - step: Kill", //        4
        '      comand: "redis-cli"', // 5
      ),
    );
    expect(errors).toEqual([
      {
        line: 5,
        column: 7,
        path: "immediate_actions[0].comand",
        message: 'unknown key "comand": a step has step, command, tool, description and timeout (did you mean command?)',
      },
    ]);
    expect(message).toMatch(/^line 5, immediate_actions\[0\]\.comand: unknown key "comand"/);
  });

  it("reports a timeout that is not a duration", () => {
    const text = AGENT_COMPROMISE_RUNBOOK.replace('timeout: "30 seconds"', 'timeout: "soon"');
    const { message, errors } = failure(text);
    expect(errors).toEqual([{ line: 7, column: 16, path: "immediate_actions[0].timeout", message: 'expected a duration such as "30 seconds" or "2 minutes"' }]);
    expect(message).toBe('line 7, immediate_actions[0].timeout: expected a duration such as "30 seconds" or "2 minutes"');
  });

  it("refuses bare numbers, zero and overlong timeouts", () => {
    const { errors } = failure(
      lines(
        "r:",
        "  severity: low",
        "  immediate_actions:",
        "    - {step: a, timeout: 30}",
        "    - {step: b, timeout: 0s}",
        "    - {step: c, timeout: 8 days}",
      ),
    );
    expect(errors.map((e) => [e.line, e.path, e.message])).toEqual([
      [4, "immediate_actions[0].timeout", 'expected a duration such as "30 seconds" or "2 minutes"'],
      [5, "immediate_actions[1].timeout", "a timeout must be longer than zero"],
      [6, "immediate_actions[2].timeout", "a timeout is at most 7 days"],
    ]);
  });

  it("reports an unknown placeholder at the placeholder, naming the allowed ones", () => {
    const { errors } = failure(
      lines("r:", "  severity: low", "  immediate_actions:", "    - step: Snapshot", '      command: "python -m agent_forensics snapshot --user {user_id}"'),
    );
    expect(errors).toEqual([
      {
        line: 5,
        column: 59,
        path: "immediate_actions[0].command",
        message: "unknown placeholder {user_id}: a runbook can use {agent_id}, {session_id}, {incident_id} and {incident_start}",
      },
    ]);
  });

  it("reports a placeholder in a command where no value could be filled safely, at that placeholder", () => {
    const { errors } = failure(
      lines(
        "r:",
        "  severity: low",
        "  immediate_actions:",
        "    - step: Look",
        `      command: "grep -c {session_id} log; echo \\"$(grep {session_id} log)\\""`,
        "    - step: Again",
        "      command: |",
        "        cat <<EOF",
        "        {agent_id}",
        "        EOF",
      ),
    );
    expect(errors).toEqual([
      {
        line: 5,
        column: 57,
        path: "immediate_actions[0].command",
        message:
          "{session_id} sits inside $( … ), where a shell reads the value again as code: the console would never fill it in; put it in a plain argument or a plain '…' or \"…\" string",
      },
      {
        line: 9,
        column: 9,
        path: "immediate_actions[1].command",
        message:
          "{agent_id} comes after a here-document (<<), whose text a shell expands: the console would never fill it in; put it in a plain argument or a plain '…' or \"…\" string",
      },
    ]);
  });

  it("reports a value kept in a variable or copied to another host, as the reviewed templates did", () => {
    const { errors } = failure(
      lines(
        "r:",
        "  severity: low",
        "  immediate_actions:",
        "    - step: Look",
        `      command: "SID={session_id}; python3 -c \\"print('looking up $SID')\\""`,
        "    - step: Fetch",
        '      command: "scp -O host:/var/log/{session_id}.log ."',
      ),
    );
    expect(errors).toEqual([
      {
        line: 5,
        column: 21,
        path: "immediate_actions[0].command",
        message:
          "{session_id} would be kept in a variable, which a later part of the command or a program may read again as code; write the placeholder where the value is used instead: the console would never fill it in; put it in a plain argument or a plain '…' or \"…\" string",
      },
      {
        line: 7,
        column: 38,
        path: "immediate_actions[1].command",
        message:
          "{session_id} goes into a command that copies with scp, whose remote side may read a path again as shell code: the console would never fill it in; put it in a plain argument or a plain '…' or \"…\" string",
      },
    ]);
  });

  it("suggests $NAME for what looks like a shell variable", () => {
    const { errors } = failure(lines("r:", "  severity: low", "  immediate_actions:", "    - step: Look", '      description: "see ${HOME}/notes"'));
    expect(errors[0]?.message).toContain("(for a shell variable write $HOME)");
  });

  it("reports a second top-level key at that key", () => {
    const { errors } = failure(`${MINIMAL}other_runbook:\n  severity: low\n`);
    expect(errors).toEqual([
      { line: 5, column: 1, path: "", message: 'one runbook per document: "other_runbook" follows "agent_compromise_runbook"; upload it on its own' },
    ]);
  });

  it("reports an empty phase list and an empty phase", () => {
    const { errors } = failure(`${MINIMAL}  investigation_steps: []\n  post_incident:\n`);
    expect(errors).toEqual([
      { line: 5, column: 24, path: "investigation_steps", message: 'the phase has no steps: add one (- step: "…") or remove the phase' },
      { line: 6, column: 3, path: "post_incident", message: 'the phase has no steps: add one (- step: "…") or remove the phase' },
    ]);
  });

  it("reports a phase that is not a list", () => {
    const { errors } = failure(`${MINIMAL}  post_incident: "hold a post-mortem"\n`);
    expect(errors).toEqual([{ line: 5, column: 18, path: "post_incident", message: 'expected a list of steps (- step: "…"), not "hold a post-mortem"' }]);
  });

  it("reports every problem at once, in line order, the first leading the message", () => {
    const { message, errors } = failure(
      lines(
        "r:", //                                    1
        "  severity: urgent", //                    2
        "  escalation_path: oncall", //             3
        "  immediate_actions:", //                  4
        "    - comand: x", //                       5
        "      timeout: soon", //                   6
        "    - step: ''", //                        7
        "    - just words", //                      8
        "  post_incident: []", //                   9
        "  severty: high", //                       10
        "  investigation: [{step: a}]", //          11
        "  Bad-Phase:", //                          12
        "    - step: a", //                         13
      ),
    );
    expect(errors.map((e) => [e.line, e.path])).toEqual([
      [2, "severity"],
      [3, "escalation_path"],
      [5, "immediate_actions[0].comand"],
      [5, "immediate_actions[0].step"],
      [6, "immediate_actions[0].timeout"],
      [7, "immediate_actions[1].step"],
      [8, "immediate_actions[2]"],
      [9, "post_incident"],
      [10, "severty"],
      [11, "investigation"],
      [12, "Bad-Phase"],
    ]);
    expect(errors.find((e) => e.path === "investigation")?.message).toBe('unknown field "investigation": did you mean investigation_steps?');
    expect(message).toMatch(/^line 2, severity: expected one of low, medium, high or critical, not "urgent" \(and 10 more problems\)$/);
  });

  it("refuses a bad name, an empty document and a runbook without phases", () => {
    expect(failure("").errors[0]).toMatchObject({ line: 1, path: "" });
    expect(failure("Agent-Runbook:\n  severity: low\n  immediate_actions: [{step: a}]\n").errors[0]?.message).toMatch(/name "Agent-Runbook" must be lowercase/);
    expect(failure("r:\n  severity: low\n").errors).toEqual([
      { line: 1, column: 1, path: "", message: "a runbook needs at least one phase of steps, such as immediate_actions" },
    ]);
  });

  it("refuses anchors, aliases and merge keys", () => {
    const { errors } = failure(
      lines("r:", "  severity: low", "  immediate_actions:", "    - &kill", "      step: Kill", "    - *kill", "    - <<: {step: Merged}"),
    );
    expect(errors.map((e) => [e.line, e.path, e.message.split(":")[0]])).toEqual([
      [4, "immediate_actions[0]", "anchors (&kill) are not allowed"],
      [6, "immediate_actions[1]", "aliases (*kill) are not allowed"],
      [7, "immediate_actions[2]", "merge keys (<<) are not allowed"],
    ]);
  });

  it("refuses text PostgreSQL cannot store, written raw or as a YAML escape, by line and field", () => {
    expect(failure(MINIMAL.replace('"Kill it"', '"Kill \\0 it"')).errors).toEqual([
      { line: 4, column: 13, path: "immediate_actions[0].step", message: expect.stringContaining("NUL") },
    ]);
    expect(failure(`${MINIMAL}      description: "half \\ud800 a pair"\n`).errors).toEqual([
      { line: 5, column: 20, path: "immediate_actions[0].description", message: expect.stringContaining("lone surrogate") },
    ]);
    expect(failure(MINIMAL.replace("Kill it", "Kill \u0000 it")).errors).toEqual([{ line: 4, column: 19, path: "", message: expect.stringContaining("NUL") }]);
  });

  it("refuses duplicate keys and unresolved tags as YAML errors", () => {
    expect(failure(`${MINIMAL}  severity: low\n`).errors[0]).toMatchObject({ line: 5, message: "invalid YAML: Map keys must be unique" });
    expect(failure(MINIMAL.replace('"Kill it"', "!shell Kill")).errors[0]).toMatchObject({ line: 4, message: "invalid YAML: Unresolved tag: !shell" });
  });

  it("refuses more than 100 steps, deep nesting and more than 64 KiB, without crashing", () => {
    const many = `r:\n  severity: low\n  immediate_actions:\n${Array.from({ length: 101 }, (_, i) => `    - step: s${i}\n`).join("")}`;
    expect(failure(many).errors).toEqual([
      { line: 104, column: 7, path: "immediate_actions[100]", message: "a runbook has at most 100 steps; this is step 101" },
    ]);
    const deep = `${MINIMAL}      description: ${"[".repeat(100)}${"]".repeat(100)}\n`;
    expect(failure(deep).errors).toEqual([
      { line: 5, column: 29, path: "immediate_actions[0].description[0][0][0][0][0][0][0][0][0]", message: expect.stringMatching(/^nested too deeply/) },
    ]);
    const big = `${MINIMAL}      description: "${"x".repeat(70_000)}"\n`;
    expect(failure(big).errors).toEqual([{ line: 1, column: 1, path: "", message: "the runbook is 69 KiB; at most 64 KiB is accepted" }]);
  });

  it("reads names of an object's own properties (constructor, toString) as plain words, in a tool, a timeout and a command", () => {
    const step = (field: string) => lines("r:", "  severity: low", "  immediate_actions:", "    - step: Look", `      ${field}`);
    expect(parseRunbook(step("tool: constructor")).phases[0]?.steps[0]?.action).toEqual({ kind: "command", command: "constructor" });
    expect(failure(step("timeout: 5 constructor")).errors).toEqual([
      { line: 5, column: 16, path: "immediate_actions[0].timeout", message: 'expected a duration such as "30 seconds" or "2 minutes"' },
    ]);
    for (const command of ["toString {session_id}", "grep constructor -v {session_id} log"]) {
      expect(parseRunbook(step(`command: ${command}`)).phases[0]?.steps[0]?.action).toEqual({ kind: "command", command });
    }
  });

  it("refuses a step that is not a mapping, non-text values and a multi-line title", () => {
    const { errors } = failure(
      lines(
        "r:",
        "  severity: low",
        "  immediate_actions:",
        "    - step: 42",
        "    - step: |",
        "        two",
        "        lines",
        "    - step: ok",
        "      command: true",
      ),
    );
    expect(errors.map((e) => [e.line, e.path, e.message])).toEqual([
      [4, "immediate_actions[0].step", "expected text, not the number 42"],
      [5, "immediate_actions[1].step", "a step's title is one line; put details in description"],
      [9, "immediate_actions[2].command", "expected text, not the boolean true"],
    ]);
  });
});
