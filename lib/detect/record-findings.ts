import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { peersOf, RECEIVED_KEYS, SENT_KEYS } from "@/lib/forensics/peers";
import type { StoredRows } from "@/lib/ingest/insert-event-rows";
import type { EventRow } from "@/lib/ingest/prepare-event-rows";
import type { AgentEvent } from "@/lib/ingest/schemas";
import { raiseSessionPeaks } from "@/lib/ingest/session-peaks";
import { addToMetricCounters } from "@/lib/metrics/counters";
import { enqueueAlertNotifications } from "@/lib/notify";
import { type CapabilityGrant, checkCapabilities, pairKey, requestPairs } from "@/lib/policy/capabilities";
import { checkPolicy } from "@/lib/policy/check-policy";
import { addressDetailPrefix, checkSourceAddress } from "@/lib/policy/check-source-address";
import { inRanges } from "@/lib/policy/ip-ranges";
import { storedPolicy } from "@/lib/policy/policy";
import { effectiveBaseline, storedBaseline } from "./baseline";
import { checkBaseline, type SessionTotals, toolNameOf } from "./check-baseline";
import { scanEventText, textProfile } from "./scan-event";
import type { AlertType, Finding, OpenedAlert, Severity } from "./types";

const MINUTE_US = 60_000_000;

/** One agent's detection settings, read once per batch. */
export interface DetectionProfile {
  configured: unknown;
  learned: unknown;
  /** The agent's security policy as stored (lib/policy parses it). */
  policy: unknown;
  /** Capability grants in force where the agent is the source or the target. */
  grants: CapabilityGrant[];
  canaries: { token: string; placement: string; label: string }[];
}

interface FindingGroup {
  sessionId: string | null;
  type: AlertType;
  severity: Severity;
  detail: string;
  baselineSource: string | null;
  count: number;
  first: EventRow;
  last: EventRow;
}

/** Repeated findings of one type and severity in one session become one alert with a count. */
export function groupFindings(findings: Finding[], rows: EventRow[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of findings) {
    const row = rows[f.eventIndex];
    if (!row) continue;
    const key = `${f.sessionId ?? ""}\u0000${f.type}\u0000${f.severity}`;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, {
        sessionId: f.sessionId,
        type: f.type,
        severity: f.severity,
        detail: f.detail,
        baselineSource: f.baselineSource,
        count: 1,
        first: row,
        last: row,
      });
      continue;
    }
    group.count++;
    if (row.tsMicros < group.first.tsMicros) {
      group.first = row;
      group.detail = f.detail;
    }
    if (row.tsMicros >= group.last.tsMicros) group.last = row;
  }
  return [...groups.values()].sort((a, b) =>
    `${a.sessionId ?? ""}\u0000${a.type}\u0000${a.severity}` < `${b.sessionId ?? ""}\u0000${b.type}\u0000${b.severity}` ? -1 : 1,
  );
}

type ToolCall = { at: number; tool: string };

/** What detection reads of the stored events around a batch, in one round trip. */
interface Surroundings {
  /** Per session, the stored tool calls (µs and tool, sorted by time) within a minute either side of the batch's new calls. */
  toolCalls: Map<string, ToolCall[]>;
  /** Per source→target pair (pairKey), the agent's stored requests of it (µs, sorted) within a minute either side of the new ones. */
  requestTimes: Map<string, number[]>;
  /** Sessions already told that this address is outside the policy's ranges. */
  toldSessions: Set<string>;
}

/** Merges µs windows [lo, hi] that overlap, so a scan of them returns each event once. */
function mergedWindows(windows: { lo: number; hi: number }[]): { lo: number; hi: number }[] {
  const sorted = [...windows].sort((a, b) => a.lo - b.lo);
  const merged: { lo: number; hi: number }[] = [];
  for (const w of sorted) {
    const last = merged[merged.length - 1];
    if (last && w.lo <= last.hi) last.hi = Math.max(last.hi, w.hi);
    else merged.push({ ...w });
  }
  return merged;
}

/**
 * Reads, in one statement, what the batch's judgement needs beyond the batch: per session the stored
 * tool calls within a minute either side of its new calls (a session that holds nothing but this
 * batch is answered from the batch), per granted agent-to-agent pair the agent's stored requests
 * within a minute either side of its new ones, and which sessions were already told about an
 * address outside the policy's ranges. Nothing is read when nothing is needed.
 */
async function readSurroundings(
  tx: Tx,
  agentId: string,
  rows: EventRow[],
  sessions: Map<string, SessionTotals>,
  needs: { requestPairs: Map<string, number[]>; addressPrefix: string | null },
): Promise<Surroundings> {
  const newCalls = new Map<string, { events: number; calls: ToolCall[] }>();
  for (const row of rows) {
    const s = newCalls.get(row.sessionId) ?? { events: 0, calls: [] };
    s.events++;
    if (row.actionType === "tool_call") s.calls.push({ at: row.tsMicros, tool: toolNameOf(row) });
    newCalls.set(row.sessionId, s);
  }
  const toolCalls = new Map<string, ToolCall[]>();
  const windows: [string, { lo: number; hi: number }][] = [];
  for (const [sessionId, { events, calls }] of newCalls) {
    if (calls.length === 0) continue;
    calls.sort((a, b) => a.at - b.at);
    if (sessions.get(sessionId)?.eventCount === events) toolCalls.set(sessionId, calls);
    else windows.push([sessionId, { lo: (calls[0]?.at ?? 0) - MINUTE_US, hi: (calls[calls.length - 1]?.at ?? 0) + MINUTE_US }]);
  }
  const requestWindows = mergedWindows([...needs.requestPairs.values()].flat().map((t) => ({ lo: t - MINUTE_US, hi: t + MINUTE_US })));
  const requestTimes = new Map<string, number[]>([...needs.requestPairs.keys()].map((key) => [key, []]));
  const toldSessions = new Set<string>();
  const askedSessions = needs.addressPrefix === null ? [] : [...new Set(rows.map((r) => r.sessionId))];
  if (windows.length === 0 && requestWindows.length === 0 && askedSessions.length === 0) return { toolCalls, requestTimes, toldSessions };

  const lo = windows.length === 0 ? 0 : Math.min(...windows.map(([, w]) => w.lo));
  const hi = windows.length === 0 ? 0 : Math.max(...windows.map(([, w]) => w.hi));
  const at = (us: unknown) => sql`timestamptz 'epoch' + ${us}::int8 * interval '1 microsecond'`;
  const peerKeys = sql.param([...SENT_KEYS, ...RECEIVED_KEYS]);
  // The agent is tested after the scan, not in it: with it in the scan the planner may walk the
  // agent's (agent_id, ts) index through every session it had in the window, not this one's.
  const result = await tx.execute<{
    tools: [string, number[] | null, string[] | null][];
    requests: [number, Record<string, unknown> | null][];
    told: string[];
  }>(sql`
    SELECT
      (SELECT coalesce(json_agg(json_build_array(t.session_id, t.times, t.tools)), '[]') FROM (
        SELECT w.session_id,
          array_agg((extract(epoch FROM e.ts) * 1000000)::int8 ORDER BY e.ts) FILTER (WHERE e.agent_id = ${agentId}) AS times,
          array_agg(coalesce(e.tool_name, e.action_name) ORDER BY e.ts) FILTER (WHERE e.agent_id = ${agentId}) AS tools
        FROM unnest(${sql.param(windows.map(([id]) => id))}::text[], ${sql.param(windows.map(([, w]) => w.lo))}::int8[],
          ${sql.param(windows.map(([, w]) => w.hi))}::int8[]) AS w(session_id, lo, hi)
        JOIN events e ON e.session_id = w.session_id AND e.action_type = 'tool_call'
          AND e.ts BETWEEN timestamptz 'epoch' + w.lo * interval '1 microsecond' AND timestamptz 'epoch' + w.hi * interval '1 microsecond'
        WHERE e.ts BETWEEN ${at(lo)} AND ${at(hi)}
        GROUP BY w.session_id) t) AS tools,
      (SELECT coalesce(json_agg(json_build_array(r.us, r.peers)), '[]') FROM (
        SELECT (extract(epoch FROM e.ts) * 1000000)::int8 AS us,
          (SELECT jsonb_object_agg(k, e.metadata -> k) FROM unnest(${peerKeys}::text[]) AS k WHERE e.metadata ? k) AS peers
        FROM unnest(${sql.param(requestWindows.map((w) => w.lo))}::int8[], ${sql.param(requestWindows.map((w) => w.hi))}::int8[]) AS w(lo, hi)
        JOIN events e ON e.agent_id = ${agentId}
          AND e.ts BETWEEN timestamptz 'epoch' + w.lo * interval '1 microsecond' AND timestamptz 'epoch' + w.hi * interval '1 microsecond'
          AND e.metadata ?| ${peerKeys}::text[]) r) AS requests,
      (SELECT coalesce(json_agg(DISTINCT f.session_id), '[]') FROM findings f
        WHERE f.session_id = ANY(${sql.param(askedSessions)}::text[]) AND f.agent_id = ${agentId} AND f.type = 'policy_violation'
          AND starts_with(f.detail, ${needs.addressPrefix ?? ""})) AS told`);
  const row = result.rows[0];
  for (const [sessionId, times, tools] of row?.tools ?? [])
    toolCalls.set(
      sessionId,
      (times ?? []).map((t, i) => ({ at: Number(t), tool: tools?.[i] ?? "" })),
    );
  for (const [us, peers] of row?.requests ?? []) {
    for (const peer of peersOf(agentId, peers)) {
      const times = requestTimes.get(peer.direction === "sent" ? pairKey(agentId, peer.peerAgentId) : pairKey(peer.peerAgentId, agentId));
      times?.push(Number(us));
    }
  }
  for (const times of requestTimes.values()) times.sort((a, b) => a - b);
  for (const sessionId of row?.told ?? []) toldSessions.add(sessionId);
  return { toolCalls, requestTimes, toldSessions };
}

const toDate = (us: number) => new Date(Math.floor(us / 1000));
const isoMicros = (us: number) =>
  toDate(us)
    .toISOString()
    .replace("Z", `${String(us % 1000).padStart(3, "0")}Z`);

/**
 * Runs every detector on a batch's newly stored events, inside the batch's transaction, and
 * records what they found: alerts (grouped), finding counts for the dashboard and /metrics,
 * session peaks for learning, and notification deliveries for alerts that are new. Returns the
 * alerts this batch opened.
 */
export async function recordFindings(
  tx: Tx,
  {
    agentId,
    events,
    rows,
    stored,
    profile,
    sourceAddress = null,
  }: {
    agentId: string;
    events: AgentEvent[];
    rows: EventRow[];
    stored: StoredRows;
    profile: DetectionProfile;
    /** The ingest request's client address, as the console derives it; null when it cannot be known. */
    sourceAddress?: string | null;
  },
): Promise<OpenedAlert[]> {
  if (stored.inserted.length === 0) return [];
  const indexByKey = new Map<string, number>();
  rows.forEach((row, i) => {
    const key = `${row.eventId}|${row.tsMicros}`;
    if (!indexByKey.has(key)) indexByKey.set(key, i);
  });
  const newEvents = stored.inserted.flatMap(({ eventId, tsMicros }) => {
    const index = indexByKey.get(`${eventId}|${tsMicros}`);
    const row = index === undefined ? undefined : rows[index];
    return index === undefined || !row ? [] : [{ index, row }];
  });

  const configured = storedBaseline(profile.configured);
  const baseline = effectiveBaseline(configured, storedBaseline(profile.learned));
  const texts = textProfile(profile.canaries, configured?.forbidden_patterns_in_output);
  const findings: Finding[] = [];
  for (const { index, row } of newEvents) {
    const event = events[index];
    if (event) findings.push(...scanEventText(event, row, index, texts));
  }

  const sessions = new Map<string, SessionTotals>(stored.sessions.map((s) => [s.sessionId, s]));
  const policy = storedPolicy(profile.policy);
  const newRows = newEvents.map((e) => e.row);
  const ranges = policy?.allowed_ip_ranges ?? [];
  const addressOutside = ranges.length > 0 && (sourceAddress === null || !inRanges(sourceAddress, ranges));
  const around = await readSurroundings(tx, agentId, newRows, sessions, {
    requestPairs: requestPairs(agentId, profile.grants, newRows),
    addressPrefix: addressOutside ? addressDetailPrefix(sourceAddress) : null,
  });
  const calls = around.toolCalls;
  const times = new Map([...calls].map(([sessionId, list]) => [sessionId, list.map((c) => c.at)]));
  const judged = checkBaseline({ baseline, events: newEvents, sessions, toolCallTimes: times });
  findings.push(...judged.findings);
  if (policy) {
    const fromAddress = checkSourceAddress({ ranges, address: sourceAddress, events: newEvents, alreadyTold: around.toldSessions });
    for (const v of [...checkPolicy({ policy, events: newEvents, sessions, toolCalls: calls }), ...fromAddress]) {
      findings.push({
        type: "policy_violation",
        severity: "high",
        detail: v.detail,
        eventIndex: v.eventIndex,
        sessionId: v.sessionId,
        baselineSource: null,
        metric: { family: "anomaly", label: "policy_violation" },
      });
    }
  }
  for (const v of checkCapabilities(agentId, profile.grants, newEvents, around.requestTimes)) {
    findings.push({
      type: "unauthorized_agent_request",
      severity: "high",
      detail: v.detail,
      eventIndex: v.eventIndex,
      sessionId: v.sessionId,
      baselineSource: null,
      metric: { family: "anomaly", label: "unauthorized_agent_request" },
    });
  }

  return saveFindings(tx, agentId, findings, rows, judged.peakToolCallsPerMinute);
}

/**
 * Writes, in one statement: session peaks, findings as alerts, each finding against its event (the
 * forensic timeline's marks), hourly finding counts and /metrics counters. Then enqueues notifications for the alerts that are new. One round trip per batch
 * matters here: it runs inside every ingest transaction.
 */
export async function saveFindings(
  tx: Tx,
  agentId: string,
  findings: Finding[],
  rows: EventRow[],
  peaks: Map<string, number> = new Map(),
): Promise<OpenedAlert[]> {
  if (findings.length === 0 && peaks.size === 0) return [];
  const groups = groupFindings(findings, rows);
  const col = <T>(pick: (g: FindingGroup) => T) => sql.param(groups.map(pick));
  const hourly = new Map<string, { hour: string; type: string; count: number }>();
  const counters = new Map<string, { family: string; label: string; count: number; lastUs: number }>();
  for (const f of findings) {
    const row = rows[f.eventIndex];
    if (!row) continue;
    const hour = new Date(Math.floor(row.tsMicros / 3_600_000_000) * 3_600_000).toISOString();
    const h = hourly.get(`${hour}|${f.type}`) ?? { hour, type: f.type, count: 0 };
    h.count++;
    hourly.set(`${hour}|${f.type}`, h);
    if (!f.metric) continue;
    const c = counters.get(`${f.metric.family}|${f.metric.label}`) ?? { ...f.metric, count: 0, lastUs: 0 };
    c.count++;
    c.lastUs = Math.max(c.lastUs, row.tsMicros);
    counters.set(`${f.metric.family}|${f.metric.label}`, c);
  }
  const hours = [...hourly.values()].sort((a, b) => (`${a.hour}|${a.type}` < `${b.hour}|${b.type}` ? -1 : 1));
  const metrics = [...counters.values()].sort((a, b) => (`${a.family}|${a.label}` < `${b.family}|${b.label}` ? -1 : 1));
  const peakList = [...peaks.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const located = findings.flatMap((f) => {
    const row = rows[f.eventIndex];
    return row ? [{ f, row }] : [];
  });
  const each = <T>(pick: (f: Finding, row: EventRow) => T) => sql.param(located.map(({ f, row }) => pick(f, row)));

  const saved = await tx.execute<{
    id: string;
    created: boolean;
    session_id: string | null;
    type: AlertType;
    severity: Severity;
    detail: string;
    count: number;
    first_event_id: string | null;
    first_event_at: string | null;
    created_at: string;
  }>(sql`
    WITH peaks AS (
      ${raiseSessionPeaks(agentId, peakList)}
    ), saved AS (
      INSERT INTO alerts AS a (agent_id, session_id, type, severity, detail, count, baseline_source, first_event_id,
        first_event_at, last_event_id, last_event_at)
      SELECT ${agentId}, g.session_id, g.type, g.severity::alert_severity, g.detail, g.count, g.baseline_source, g.first_id,
        g.first_at::timestamptz, g.last_id, g.last_at::timestamptz
      FROM unnest(${col((g) => g.sessionId)}::text[], ${col((g) => g.type)}::text[], ${col((g) => g.severity)}::text[],
        ${col((g) => g.detail)}::text[], ${col((g) => g.count)}::int4[], ${col((g) => g.baselineSource)}::text[],
        ${col((g) => g.first.eventId)}::uuid[], ${col((g) => isoMicros(g.first.tsMicros))}::text[],
        ${col((g) => g.last.eventId)}::uuid[], ${col((g) => isoMicros(g.last.tsMicros))}::text[])
        AS g(session_id, type, severity, detail, count, baseline_source, first_id, first_at, last_id, last_at)
      ON CONFLICT (agent_id, coalesce(session_id, ''), type, severity) WHERE status <> 'resolved' DO UPDATE SET
        count = a.count + excluded.count,
        last_seen_at = now(),
        first_event_id = CASE WHEN excluded.first_event_at < a.first_event_at THEN excluded.first_event_id ELSE a.first_event_id END,
        first_event_at = least(a.first_event_at, excluded.first_event_at),
        last_event_id = CASE WHEN excluded.last_event_at >= a.last_event_at THEN excluded.last_event_id ELSE a.last_event_id END,
        last_event_at = greatest(a.last_event_at, excluded.last_event_at)
      RETURNING id, (xmax = 0) AS created, session_id, type, severity, detail, count, first_event_id, first_event_at, created_at
    ), per_event AS (
      INSERT INTO findings (alert_id, agent_id, session_id, event_id, event_at, type, severity, detail)
      SELECT saved.id, ${agentId}, f.event_session_id, f.event_id, f.event_at::timestamptz, f.type, f.severity::alert_severity, f.detail
      FROM unnest(${each((f) => f.sessionId)}::text[], ${each((_, row) => row.sessionId)}::text[], ${each((_, row) => row.eventId)}::uuid[],
        ${each((_, row) => isoMicros(row.tsMicros))}::text[], ${each((f) => f.type)}::text[], ${each((f) => f.severity)}::text[],
        ${each((f) => f.detail)}::text[]) AS f(group_session_id, event_session_id, event_id, event_at, type, severity, detail)
      JOIN saved ON saved.session_id IS NOT DISTINCT FROM f.group_session_id AND saved.type = f.type AND saved.severity = f.severity::alert_severity
    ), hourly AS (
      INSERT INTO findings_hourly AS f (agent_id, hour, type, count)
      SELECT ${agentId}, h.hour::timestamptz, h.type, h.count
      FROM unnest(${sql.param(hours.map((h) => h.hour))}::text[], ${sql.param(hours.map((h) => h.type))}::text[],
        ${sql.param(hours.map((h) => h.count))}::int4[]) AS h(hour, type, count)
      ON CONFLICT (agent_id, hour, type) DO UPDATE SET count = f.count + excluded.count
    ), counters AS (
      ${addToMetricCounters(sql`
      SELECT m.family, ${agentId}, m.label, m.count, m.last_at::timestamptz
      FROM unnest(${sql.param(metrics.map((m) => m.family))}::text[], ${sql.param(metrics.map((m) => m.label))}::text[],
        ${sql.param(metrics.map((m) => m.count))}::int8[], ${sql.param(metrics.map((m) => isoMicros(m.lastUs)))}::text[])
        AS m(family, label, count, last_at)`)}
    )
    SELECT * FROM saved`);

  const opened: OpenedAlert[] = saved.rows
    .filter((r) => r.created)
    .map((r) => ({
      id: Number(r.id),
      agentId,
      sessionId: r.session_id,
      type: r.type,
      severity: r.severity,
      detail: r.detail,
      count: r.count,
      firstEventId: r.first_event_id,
      firstEventAt: r.first_event_at ? new Date(r.first_event_at) : null,
      createdAt: new Date(r.created_at),
    }));
  if (opened.length > 0) await enqueueAlertNotifications(tx, opened);
  return opened;
}
