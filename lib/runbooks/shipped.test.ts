import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseRunbook } from "./parse-runbook";
import { AGENT_COMPROMISE_RUNBOOK, DATA_EXFILTRATION_RUNBOOK, SHIPPED_RUNBOOKS } from "./shipped";

const yamlFile = (name: string) => readFileSync(path.join(__dirname, "shipped", name), "utf8");

describe("shipped runbooks", () => {
  it("embed their .yaml files byte for byte", () => {
    expect(AGENT_COMPROMISE_RUNBOOK).toBe(yamlFile("agent-compromise.yaml"));
    expect(DATA_EXFILTRATION_RUNBOOK).toBe(yamlFile("data-exfiltration.yaml"));
  });

  it("each load under its own name", () => {
    expect(Object.keys(SHIPPED_RUNBOOKS)).toEqual(["agent_compromise_runbook", "data_exfiltration_runbook"]);
    for (const [name, text] of Object.entries(SHIPPED_RUNBOOKS)) expect(parseRunbook(text).name).toBe(name);
  });

  it("answer a data exfiltration with kill, snapshot, trace and rotation, then people telling data owners", () => {
    const runbook = parseRunbook(DATA_EXFILTRATION_RUNBOOK);
    expect(runbook.severity).toBe("critical");
    const steps = runbook.phases.flatMap((p) => p.steps);
    expect(steps.filter((s) => s.action.kind === "automated").map((s) => s.action.kind === "automated" && s.action.action)).toEqual([
      "kill_agent",
      "snapshot",
      "trace_communications",
      "build_timeline",
      "rotate_credentials",
    ]);
    expect(steps.find((s) => s.action.kind === "automated" && s.action.action === "kill_agent")?.action).toEqual({
      kind: "automated",
      action: "kill_agent",
      reasonTemplate: "Data exfiltration incident {incident_id}",
    });
    const notify = steps.find((s) => s.title === "Notify the owners of the leaked data");
    expect(notify).toMatchObject({ action: { kind: "manual" }, timeoutSeconds: 86_400 });
    expect(steps.every((s) => s.action.kind !== "command")).toBe(true);
  });
});
