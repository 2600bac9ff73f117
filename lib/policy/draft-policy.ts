import { type AgentPolicy, agentPolicySchema, PERMISSIONS, toolPermissionSchema } from "./policy";

/** What one tool's calls showed in the window: the evidence beside each line of a draft. */
export interface ToolEvidence {
  tool: string;
  calls: number;
  sessions: number;
  /** The `metadata.permission` values reported, lower-cased. */
  permissions: string[];
  /** Up to MAX_RESOURCES of the `metadata.resource` values reported, and how many there were. */
  resources: string[];
  resource_count: number;
  /** The most calls of the tool in one session within the minute ending at one of them. */
  peak_per_minute: number;
  max_rows: number | null;
  approved_calls: number;
}

export interface PolicyEvidence {
  window_days: number;
  /** Sessions the draft stands on: those without a high or critical alert. */
  sessions: number;
  /** Sessions with a high or critical alert, left out: a policy drafted from an attack would grant it. */
  excluded_sessions_with_high_alerts: number;
  max_session_seconds: number | null;
  max_tool_calls_per_session: number | null;
  tools: ToolEvidence[];
  /** Tools called only in the left-out sessions (up to 50, busiest first): granted nothing. */
  excluded_tools: { tool: string; calls: number; sessions: number }[];
}

export interface PolicyDraft {
  policy: AgentPolicy;
  /** Per tool, or "session", why a line says what it says. */
  notes: Record<string, string[]>;
  /** Tools seen whose names a policy cannot hold (control characters): left out, named here. */
  skipped_tools: string[];
  /** Tools called only in sessions with a high or critical alert: not granted, named here. */
  excluded_tools: string[];
}

export const MAX_RESOURCES = 50;
/** The same headroom learned baselines give: observed peak × 1.5. */
const MARGIN = 1.5;
const withMargin = (n: number, max: number) => Math.min(max, Math.max(1, Math.ceil(n * MARGIN)));

/**
 * Proposes the least privilege the evidence supports: only the tools used, only the actions and
 * resources reported, limits at the observed peak with headroom. What the agent did not report
 * (a permission, a resource) is granted as nothing, and the notes say so. Pure.
 */
export function draftPolicy(evidence: PolicyEvidence): PolicyDraft {
  // A Map, then fromEntries: a tool named "__proto__" keeps its note as the answer's own key.
  const notes = new Map<string, string[]>();
  const skipped: string[] = [];
  const permissions: AgentPolicy["permissions"] = [];
  for (const t of evidence.tools) {
    const valid = toolPermissionSchema.shape.tool_name.safeParse(t.tool);
    if (!valid.success) {
      skipped.push(t.tool);
      continue;
    }
    const note: string[] = [`${t.calls} calls in ${t.sessions} sessions`];
    const actions = PERMISSIONS.filter((p) => t.permissions.includes(p));
    if (actions.length === 0) note.push("no call reported a permission: none granted");
    else note.push(`permissions reported: ${actions.join(", ")}`);
    const scopeNames = t.resources.filter((r) => toolPermissionSchema.shape.resource_scope.element.safeParse(r).success);
    let scope: string[] = scopeNames;
    if (t.resource_count > MAX_RESOURCES) {
      scope = ["*"];
      note.push(`${t.resource_count} distinct resources: any allowed, narrow it by hand`);
    } else if (t.resource_count === 0) note.push("no call reported a resource: none granted");
    else note.push(`${t.resource_count} resources reported`);
    note.push(`busiest minute ${t.peak_per_minute} calls`);
    if (t.max_rows !== null) note.push(`most rows ${t.max_rows}`);
    const requiresApproval = t.calls > 0 && t.approved_calls === t.calls;
    if (requiresApproval) note.push("every call recorded an approval");
    notes.set(t.tool, note);
    permissions.push({
      tool_name: t.tool,
      allowed_actions: actions,
      resource_scope: scope,
      rate_limit: withMargin(t.peak_per_minute, 1_000_000),
      requires_approval: requiresApproval,
      max_data_rows: t.max_rows === null ? 100 : withMargin(t.max_rows, 1_000_000_000),
    });
  }
  for (const t of evidence.excluded_tools) {
    notes.set(t.tool, [`${t.calls} calls in ${t.sessions} sessions, each with a high or critical alert: not granted`]);
  }
  const excluded = evidence.excluded_sessions_with_high_alerts;
  notes.set("session", [
    `${evidence.sessions} sessions in ${evidence.window_days} days`,
    ...(excluded > 0
      ? [
          `${excluded} ${excluded === 1 ? "session" : "sessions"} with a high or critical alert left out: ${excluded === 1 ? "its" : "their"} calls grant nothing`,
        ]
      : []),
    evidence.max_session_seconds === null ? "no session yet: the guide's default length" : `longest ${Math.round(evidence.max_session_seconds)} s`,
    evidence.max_tool_calls_per_session === null ? "the guide's default tool calls" : `most tool calls in one session ${evidence.max_tool_calls_per_session}`,
  ]);
  const policy = agentPolicySchema.parse({
    role: "",
    permissions,
    ...(evidence.max_session_seconds ? { max_session_duration_seconds: withMargin(evidence.max_session_seconds, 31_536_000) } : {}),
    ...(evidence.max_tool_calls_per_session ? { max_tool_calls_per_session: withMargin(evidence.max_tool_calls_per_session, 10_000_000) } : {}),
  });
  return { policy, notes: Object.fromEntries(notes), skipped_tools: skipped, excluded_tools: evidence.excluded_tools.map((t) => t.tool) };
}
