import type { StoredRunbook } from "@/db/queries/runbooks";
import type { RunbookView } from "@/lib/incidents/types";

/** A stored runbook as the API shows it: phases and steps with what the console can do for each. */
export function runbookView(r: StoredRunbook): RunbookView {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    severity: r.definition.severity,
    escalation_path: r.definition.escalationPath,
    phases: r.definition.phases.map((p) => ({
      key: p.key,
      title: p.title,
      steps: p.steps.map((s) => ({
        step_id: s.id,
        title: s.title,
        kind: s.action.kind,
        action: s.action.kind === "automated" ? s.action.action : null,
        command: s.command ?? (s.action.kind === "command" ? s.action.command : null),
        timeout_text: s.timeoutText,
        description: s.description,
      })),
    })),
    created_by: r.createdBy,
    created_at: r.createdAt.toISOString(),
  };
}
