import { rateAtCall } from "@/lib/detect/check-baseline";
import { type AgentPolicy, inScope, PERMISSIONS, type ToolPermission } from "./policy";

/** What the policy check needs of a stored event (the ingest's EventRow has these fields). */
export interface PolicyEvent {
  tsMicros: number;
  sessionId: string;
  actionType: string;
  actionName: string;
  toolName: string | null;
  metadata: Record<string, unknown> | null;
}

export interface PolicySession {
  startedAtUs: number;
  eventCount: number;
  toolCalls: number;
}

export interface PolicyCheckInput {
  policy: AgentPolicy;
  /** The batch's newly stored events, with their index in the batch. */
  events: { index: number; row: PolicyEvent }[];
  sessions: Map<string, PolicySession>;
  /** Per session, every stored tool call (µs, with its tool) within a minute either side of the new ones, the new ones included. */
  toolCalls: Map<string, { at: number; tool: string }[]>;
}

export interface PolicyViolation {
  eventIndex: number;
  sessionId: string;
  detail: string;
}

const shown = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
const list = (items: readonly string[]) => (items.length === 0 ? "nothing" : items.join(", "));

/** What the event says about itself in metadata: `permission`, `resource` (one or a list), `row_count`, `approval_id`. */
function claims(metadata: Record<string, unknown> | null) {
  const m = metadata ?? {};
  const resource = m.resource;
  return {
    permission: typeof m.permission === "string" ? m.permission.trim().toLowerCase() : null,
    resources: typeof resource === "string" ? [resource] : Array.isArray(resource) ? resource.filter((r): r is string => typeof r === "string") : [],
    rowCount: typeof m.row_count === "number" && Number.isFinite(m.row_count) ? m.row_count : null,
    approved: typeof m.approval_id === "string" && m.approval_id.trim() !== "",
  };
}

/**
 * Judges the batch's new tool calls against the agent's policy: a tool it does not grant, an action
 * (`metadata.permission`) it does not allow, a resource outside the tool's scope, more rows than
 * `max_data_rows`, a call that `requires_approval` without an `approval_id`, a tool over its
 * `rate_limit` per minute, and a session past its length or tool-call limit. Pure.
 */
export function checkPolicy({ policy, events, sessions, toolCalls }: PolicyCheckInput): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const grants = new Map<string, ToolPermission>(policy.permissions.map((p) => [p.tool_name, p]));
  const bySession = new Map<string, { index: number; row: PolicyEvent }[]>();
  for (const e of events) {
    const same = bySession.get(e.row.sessionId);
    if (same) same.push(e);
    else bySession.set(e.row.sessionId, [e]);
  }

  for (const [sessionId, sessionEvents] of bySession) {
    const totals = sessions.get(sessionId);
    if (!totals) continue;
    sessionEvents.sort((a, b) => a.row.tsMicros - b.row.tsMicros);
    const add = (eventIndex: number, detail: string) => violations.push({ eventIndex, sessionId, detail });
    const timesByTool = new Map<string, number[]>();
    for (const c of toolCalls.get(sessionId) ?? []) {
      const times = timesByTool.get(c.tool);
      if (times) times.push(c.at);
      else timesByTool.set(c.tool, [c.at]);
    }
    for (const times of timesByTool.values()) times.sort((a, b) => a - b);
    const newTimes = new Set(sessionEvents.filter((e) => e.row.actionType === "tool_call").map((e) => e.row.tsMicros));
    let toolCallCount = totals.toolCalls - newTimes.size;

    for (const { index, row } of sessionEvents) {
      const elapsedS = (row.tsMicros - totals.startedAtUs) / 1e6;
      if (elapsedS > policy.max_session_duration_seconds) {
        add(index, `The session has run ${Math.round(elapsedS)} s; the policy allows ${policy.max_session_duration_seconds} s`);
      }
      if (row.actionType !== "tool_call") continue;
      toolCallCount++;
      if (toolCallCount > policy.max_tool_calls_per_session) {
        add(index, `The session reached ${toolCallCount} tool calls; the policy allows ${policy.max_tool_calls_per_session}`);
      }
      const tool = row.toolName ?? row.actionName;
      const grant = grants.get(tool);
      if (!grant) {
        add(index, `The agent called tool ${shown(tool)}, which its policy does not grant`);
        continue;
      }
      const said = claims(row.metadata);
      if (said.permission !== null) {
        if (!(PERMISSIONS as readonly string[]).includes(said.permission)) {
          add(index, `The agent called tool ${shown(tool)} with permission ${shown(said.permission)}, which is none of ${PERMISSIONS.join(", ")}`);
        } else if (!(grant.allowed_actions as readonly string[]).includes(said.permission)) {
          add(index, `The agent called tool ${shown(tool)} to ${said.permission}; the policy allows ${list(grant.allowed_actions)}`);
        }
      }
      const outside = said.resources.filter((r) => !inScope(grant.resource_scope, r));
      if (outside.length > 0) {
        add(
          index,
          `The agent called tool ${shown(tool)} on ${outside.slice(0, 3).map(shown).join(", ")}${outside.length > 3 ? ` and ${outside.length - 3} more` : ""}, outside its scope (${list(grant.resource_scope.map(shown))})`,
        );
      }
      if (said.rowCount !== null && said.rowCount > grant.max_data_rows) {
        add(index, `Tool ${shown(tool)} returned ${said.rowCount} rows; the policy allows ${grant.max_data_rows}`);
      }
      if (grant.requires_approval && !said.approved) {
        add(index, `Tool ${shown(tool)} requires approval, and the call records none (metadata.approval_id)`);
      }
      const rate = rateAtCall(timesByTool.get(tool) ?? [row.tsMicros], row.tsMicros, (at) => !newTimes.has(at));
      if (rate > grant.rate_limit) {
        add(index, `${rate} calls of tool ${shown(tool)} within one minute; the policy allows ${grant.rate_limit} per minute`);
      }
    }
  }
  return violations;
}
