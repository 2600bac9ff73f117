import type { Severity } from "@/lib/detect/types";
import { type PeerDirection, peersOf, RECEIVED_KEYS, SENT_KEYS } from "./peers";

/** What the analysis needs of each event: no summaries, so a 10,000-event session stays cheap. */
export interface OutlineEvent {
  eventId: string;
  timestamp: string;
  actionType: string;
  actionName: string;
  toolName: string | null;
  securityFlags: string[];
  metadata: Record<string, unknown> | null;
  redactions: Record<string, number> | null;
}

export interface StoredFinding {
  eventId: string;
  alertId: number;
  type: string;
  severity: Severity;
  detail: string;
}

export interface Anomaly {
  event_id: string;
  type: string;
  severity: Severity;
  detail: string;
  alert_id: number | null;
}

export interface AffectedResource {
  kind: "tool" | "resource";
  /** For a resource, the metadata key that named it (url, path, table, …). */
  key: string | null;
  name: string;
  count: number;
  first_at: string;
  last_at: string;
}

export type InjectionRule = "content_finding" | "event_before_first_anomaly" | "first_anomaly";

export interface InjectionPoint {
  event_id: string;
  timestamp: string;
  rule: InjectionRule;
  reason: string;
  preceding_events: string[];
}

export interface BlastRadius {
  from_event_id: string;
  /** Events from the injection point on, the injection point included. */
  events_after: number;
  tools_used: { tool: string; count: number; first_event_id: string }[];
  unexpected_tools: { tool: string; count: number; first_event_id: string }[] | null;
  resources_touched: { key: string; name: string; count: number; first_event_id: string }[];
  exfiltration: { event_id: string; type: string; tool: string | null; detail: string }[];
  /** `names`: the secrets the event's metadata names (secret_id, secret_name, credential_id, credential_name), which rotation looks up in the inventory. */
  credentials_read: { event_id: string; tool: string | null; reason: string; names: string[] }[];
  agents_contacted: { agent_id: string; direction: PeerDirection; count: number; first_event_id: string }[];
}

export interface SessionAnalysis {
  anomalies: Anomaly[];
  affected_resources: AffectedResource[];
  injection_point: InjectionPoint | null;
  blast_radius: BlastRadius | null;
}

/** Metadata keys that name what a tool call touched. */
export const RESOURCE_KEYS = [
  "resource",
  "resource_id",
  "url",
  "uri",
  "path",
  "file",
  "file_path",
  "table",
  "database",
  "bucket",
  "host",
  "repository",
  "document_id",
] as const;

const SECRET_METADATA_KEYS = ["secret_id", "secret_name", "credential_id", "credential_name"] as const;

/** The only metadata keys the analysis reads: the outline query fetches these and nothing else. */
export const ANALYZED_METADATA_KEYS: readonly string[] = [...RESOURCE_KEYS, ...SENT_KEYS, ...RECEIVED_KEYS, ...SECRET_METADATA_KEYS];

const SECRET_KINDS = ["API_KEY", "AWS_KEY", "PRIVATE_KEY", "JWT", "PASSWORD"];
const SECRET_TOOL = /(secret|credential|password|passwd|vault|api[_-]?key|access[_-]?key|private[_-]?key|token)/i;
const RECEIVED_CONTENT_TYPES = new Set(["prompt_injection"]);
/** Findings that say the session went wrong; an agent with no baseline (unknown_agent) is a gap in coverage, not a sign. */
const NOT_ANOMALIES = new Set(["unknown_agent"]);
const PRECEDING = 5;

const toolOf = (e: OutlineEvent) => e.toolName ?? e.actionName;

function resourcesOf(e: OutlineEvent): { key: string; name: string }[] {
  if (!e.metadata) return [];
  const out: { key: string; name: string }[] = [];
  for (const key of RESOURCE_KEYS) {
    const value = e.metadata[key];
    const values = Array.isArray(value) ? value.slice(0, 20) : [value];
    for (const v of values) {
      if ((typeof v === "string" && v !== "") || typeof v === "number") out.push({ key, name: String(v).slice(0, 512) });
    }
  }
  return out;
}

function secretNamesOf(e: OutlineEvent): string[] {
  return SECRET_METADATA_KEYS.flatMap((k) => {
    const v = e.metadata?.[k];
    return typeof v === "string" && v !== "" ? [v.slice(0, 512)] : [];
  });
}

function secretReadReason(e: OutlineEvent): string | null {
  if (e.actionType !== "tool_call") return null;
  const redacted = SECRET_KINDS.filter((k) => (e.redactions?.[k] ?? 0) > 0);
  if (redacted.length > 0) return `redaction removed ${redacted.join(", ")} from this tool call's content`;
  const key = SECRET_METADATA_KEYS.find((k) => typeof e.metadata?.[k] === "string");
  if (key) return `metadata ${key} names a secret`;
  if (SECRET_TOOL.test(toolOf(e))) return `the tool's name suggests it reads secrets`;
  return null;
}

/**
 * Rebuilds what an analyst asks of a session from its events (in timeline order) and the findings
 * stored against them: every anomaly, what it touched, the likeliest injection point and, from
 * there on, the blast radius. Pure.
 */
export function analyzeSession({
  agentId,
  events,
  findings,
  expectedTools,
}: {
  agentId: string;
  events: OutlineEvent[];
  findings: StoredFinding[];
  /** The effective baseline's expected tools; null when the agent has none. */
  expectedTools: string[] | null;
}): SessionAnalysis {
  const position = new Map(events.map((e, i) => [e.eventId, i]));
  const at = (eventId: string) => position.get(eventId) ?? Number.MAX_SAFE_INTEGER;

  const anomalies: Anomaly[] = [];
  for (const f of findings) {
    if (NOT_ANOMALIES.has(f.type) || !position.has(f.eventId)) continue;
    anomalies.push({ event_id: f.eventId, type: f.type, severity: f.severity, detail: f.detail, alert_id: f.alertId });
  }
  for (const e of events) {
    if (e.securityFlags.length > 0) {
      anomalies.push({
        event_id: e.eventId,
        type: "agent_flagged",
        severity: "medium",
        detail: `The agent flagged this event: ${e.securityFlags.join(", ")}`,
        alert_id: null,
      });
    }
  }
  anomalies.sort((a, b) => at(a.event_id) - at(b.event_id));

  const injection = findInjectionPoint(events, anomalies, at);
  return {
    anomalies,
    affected_resources: affectedResources(events),
    injection_point: injection,
    blast_radius: injection ? blastRadius(agentId, events, findings, at, at(injection.event_id), expectedTools) : null,
  };
}

function findInjectionPoint(events: OutlineEvent[], anomalies: Anomaly[], at: (id: string) => number): InjectionPoint | null {
  const firstOther = anomalies.find((a) => !RECEIVED_CONTENT_TYPES.has(a.type));
  const limit = firstOther ? at(firstOther.event_id) : Number.MAX_SAFE_INTEGER;
  const content = anomalies.find((a) => RECEIVED_CONTENT_TYPES.has(a.type) && at(a.event_id) <= limit);
  const point = (index: number, rule: InjectionRule, reason: string): InjectionPoint | null => {
    const event = events[index];
    if (!event) return null;
    return {
      event_id: event.eventId,
      timestamp: event.timestamp,
      rule,
      reason,
      preceding_events: events.slice(Math.max(0, index - PRECEDING), index).map((e) => e.eventId),
    };
  };
  if (content) {
    const index = at(content.event_id);
    const event = events[index];
    const where = event?.actionType === "tool_call" ? `the output of tool "${event ? toolOf(event) : ""}"` : `the input of ${event?.actionType ?? "an event"}`;
    const before = firstOther ? `, at or before the first other anomaly (${firstOther.type})` : "";
    return point(index, "content_finding", `The earliest received content with an injection finding: ${where}${before}. ${content.detail}`);
  }
  if (!firstOther) return null;
  const index = at(firstOther.event_id);
  const later = anomalies.find((a) => RECEIVED_CONTENT_TYPES.has(a.type));
  const note = later ? ` An injection finding exists only later in the session.` : "";
  if (index === 0) {
    return point(
      0,
      "first_anomaly",
      `No received content carries an injection finding, and the first anomaly (${firstOther.type}) is the session's first event.${note}`,
    );
  }
  return point(
    index - 1,
    "event_before_first_anomaly",
    `No received content carries an injection finding before the first anomaly (${firstOther.type}); the event just before it is the likeliest carrier.${note}`,
  );
}

function affectedResources(events: OutlineEvent[]): AffectedResource[] {
  const seen = new Map<string, AffectedResource>();
  const note = (kind: AffectedResource["kind"], key: string | null, name: string, time: string) => {
    const id = `${kind}\u0000${key ?? ""}\u0000${name}`;
    const r = seen.get(id);
    if (r) {
      r.count++;
      r.last_at = time;
    } else seen.set(id, { kind, key, name, count: 1, first_at: time, last_at: time });
  };
  for (const e of events) {
    if (e.actionType === "tool_call") note("tool", null, toolOf(e), e.timestamp);
    for (const r of resourcesOf(e)) note("resource", r.key, r.name, e.timestamp);
  }
  return [...seen.values()];
}

function blastRadius(
  agentId: string,
  events: OutlineEvent[],
  findings: StoredFinding[],
  at: (id: string) => number,
  from: number,
  expectedTools: string[] | null,
): BlastRadius {
  const after = events.slice(from);
  const afterIds = new Set(after.map((e) => e.eventId));
  const byId = new Map(after.map((e) => [e.eventId, e]));
  const expected = expectedTools ? new Set(expectedTools) : null;

  const used = new Map<string, { tool: string; count: number; first_event_id: string }>();
  const unexpected = new Map<string, { tool: string; count: number; first_event_id: string }>();
  const resources = new Map<string, { key: string; name: string; count: number; first_event_id: string }>();
  const peers = new Map<string, { agent_id: string; direction: PeerDirection; count: number; first_event_id: string }>();
  const credentials: BlastRadius["credentials_read"] = [];
  for (const e of after) {
    if (e.actionType === "tool_call") {
      const t = used.get(toolOf(e)) ?? { tool: toolOf(e), count: 0, first_event_id: e.eventId };
      t.count++;
      used.set(t.tool, t);
    }
    if (e.actionType === "tool_call" && expected && !expected.has(toolOf(e))) {
      const u = unexpected.get(toolOf(e)) ?? { tool: toolOf(e), count: 0, first_event_id: e.eventId };
      u.count++;
      unexpected.set(u.tool, u);
    }
    for (const r of resourcesOf(e)) {
      const id = `${r.key}\u0000${r.name}`;
      const t = resources.get(id) ?? { ...r, count: 0, first_event_id: e.eventId };
      t.count++;
      resources.set(id, t);
    }
    for (const p of peersOf(agentId, e.metadata)) {
      const id = `${p.direction}\u0000${p.peerAgentId}`;
      const c = peers.get(id) ?? { agent_id: p.peerAgentId, direction: p.direction, count: 0, first_event_id: e.eventId };
      c.count++;
      peers.set(id, c);
    }
    const reason = secretReadReason(e);
    if (reason) credentials.push({ event_id: e.eventId, tool: toolOf(e), reason, names: secretNamesOf(e) });
  }

  const exfiltration = findings
    .filter((f) => afterIds.has(f.eventId))
    .sort((a, b) => at(a.eventId) - at(b.eventId))
    .filter((f) => f.type === "canary_leak" || (f.type === "pii_exposure" && byId.get(f.eventId)?.actionType === "tool_call"))
    .map((f) => {
      const e = byId.get(f.eventId);
      return { event_id: f.eventId, type: f.type, tool: e?.actionType === "tool_call" ? toolOf(e) : null, detail: f.detail };
    });

  return {
    from_event_id: events[from]?.eventId ?? "",
    events_after: after.length,
    tools_used: [...used.values()],
    unexpected_tools: expected ? [...unexpected.values()] : null,
    resources_touched: [...resources.values()],
    exfiltration,
    credentials_read: credentials,
    agents_contacted: [...peers.values()],
  };
}
