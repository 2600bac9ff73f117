import type { Severity } from "@/lib/detect/types";
import type { AutomatedActionName } from "@/lib/runbooks";
import type { EscalationView } from "./escalation";
import type { StepControls } from "./step-controls";
import type { StepOutputView } from "./step-output";

export type { StepControls, StepOutputView };

/** `INC-<id>`: how people and runbook commands (`{incident_id}`) name an incident. */
export const incidentRef = (id: number): string => `INC-${id}`;

/** Automated actions that stop an agent or replace its secrets: they look dangerous and ask once before running. */
export const DANGEROUS_ACTIONS: readonly AutomatedActionName[] = ["kill_agent", "rotate_credentials"];

export type IncidentStatus = "open" | "contained" | "eradicated" | "recovered" | "closed";
export type StepState = "pending" | "running" | "done" | "failed" | "skipped";

/** What the console can run itself; `command` steps are shown for a person to run, `manual` ones are checked off. */
export type StepKind = "automated" | "command" | "manual";

/** A step as stored, before the reader's typed output and controls are added (db/queries/incidents.ts). */
export interface StoredStepView {
  step_id: string;
  phase: string;
  position: number;
  title: string;
  description: string | null;
  kind: StepKind;
  action: AutomatedActionName | null;
  /** The step's command with the incident's values filled in (shell-quoted), or null. */
  command: string | null;
  /** Why `command` is the unfilled template: a value is missing or not safe to paste into a shell. */
  command_problem: string | null;
  timeout_seconds: number | null;
  timeout_text: string | null;
  state: StepState;
  attempts: number;
  actor: string | null;
  started_at: string | null;
  finished_at: string | null;
  note: string | null;
  /** What an automated step stored, as stored: e.g. {snapshots: [{session_id, snapshot_id, links}]}, {killed: [...]}. */
  output: Record<string, unknown> | null;
  error: string | null;
  /** Why `output` and `error` are left out: the step's results are forensics this reader's role may not see. */
  output_withheld: string | null;
  /** Past its timeout and not finished (pending steps count from the incident's opening). */
  overdue: boolean;
}

export interface StepView extends StoredStepView, StepControls {
  /** `output` read into its typed variant (lib/incidents/step-output.ts); null when the step produced nothing. */
  output_view: StepOutputView | null;
}

export interface ActivityView {
  id: number;
  at: string;
  actor: string;
  kind: string;
  summary: string;
  detail: Record<string, unknown> | null;
}

export interface IncidentSummary {
  id: number;
  /** `INC-<id>`: what `{incident_id}` becomes in a runbook's commands. */
  ref: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  agent_ids: string[];
  session_ids: string[];
  owner: { id: string; name: string };
  opened_at: string;
  closed_at: string | null;
  steps_done: number;
  steps_total: number;
}

export interface StoredIncident extends IncidentSummary {
  alert_ids: number[];
  runbook: { id: string; name: string; version: number };
  escalation: EscalationView[];
  opened_by: string;
  post_incident_notes: string;
  phases: { key: string; title: string; steps: StoredStepView[] }[];
  activity: ActivityView[];
}

export interface IncidentView extends Omit<StoredIncident, "phases"> {
  /** Where the caller may move the status next (empty: nowhere). */
  status_choices: IncidentStatus[];
  phases: { key: string; title: string; steps: StepView[] }[];
}

export interface RunbookView {
  id: string;
  name: string;
  version: number;
  severity: Severity;
  escalation_path: string[];
  phases: {
    key: string;
    title: string;
    steps: {
      step_id: string;
      title: string;
      kind: StepKind;
      action: AutomatedActionName | null;
      command: string | null;
      timeout_text: string | null;
      description: string | null;
    }[];
  }[];
  created_by: string;
  created_at: string;
}
