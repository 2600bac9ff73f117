import { AGENT_COMPROMISE_RUNBOOK } from "./agent-compromise";
import { DATA_EXFILTRATION_RUNBOOK } from "./data-exfiltration";

export { AGENT_COMPROMISE_RUNBOOK, DATA_EXFILTRATION_RUNBOOK };

/** The runbooks the console ships with, by name, as YAML text to load like any uploaded runbook. */
export const SHIPPED_RUNBOOKS: Readonly<Record<string, string>> = {
  agent_compromise_runbook: AGENT_COMPROMISE_RUNBOOK,
  data_exfiltration_runbook: DATA_EXFILTRATION_RUNBOOK,
};
