import type { EventRow } from "@/lib/ingest/prepare-event-rows";
import { type EffectiveBaseline, severityFor } from "./baseline";
import type { AlertType, Finding, Severity } from "./types";

const MINUTE_US = 60_000_000;

/** A session's totals after the batch was stored, as the session rollup returned them. */
export interface SessionTotals {
  startedAtUs: number;
  eventCount: number;
  toolCalls: number;
  llmCalls: number;
  costUsd: number;
}

export interface BaselineCheckInput {
  baseline: EffectiveBaseline | null;
  /** The batch's newly stored events (duplicates excluded), with their index in the batch. */
  events: { index: number; row: EventRow }[];
  sessions: Map<string, SessionTotals>;
  /** Per session, every stored tool-call time (µs, sorted) within a minute either side of the new ones, the new ones included. */
  toolCallTimes: Map<string, number[]>;
}

export interface BaselineCheckResult {
  findings: Finding[];
  /** Per session, the most tool calls in one minute around the new ones. */
  peakToolCallsPerMinute: Map<string, number>;
}

export const toolNameOf = (row: EventRow): string => row.toolName ?? row.actionName;

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The most calls in any 60-second window that contains time `t` (all times in µs, sorted). */
export function busiestMinuteAround(sorted: number[], t: number): number {
  let best = 0;
  for (let i = lowerBound(sorted, t - MINUTE_US + 1); i < sorted.length; i++) {
    const start = sorted[i] ?? 0;
    if (start > t) break;
    best = Math.max(best, lowerBound(sorted, start + MINUTE_US) - i);
  }
  return best;
}

/** Calls in the minute that ends at `t`: (t − 60 s, t], as the guide counts them. */
export function callsInMinuteEndingAt(sorted: number[], t: number): number {
  return lowerBound(sorted, t + 1) - lowerBound(sorted, t - MINUTE_US + 1);
}

/**
 * The rate a new call at `t` is judged by: the calls in the minute ending at it, or, when it
 * arrived late, the busiest minute ending at a call stored earlier that it now falls inside. A
 * call is never judged by calls of its own batch that come after it: those are judged themselves.
 */
export function rateAtCall(sorted: number[], t: number, storedEarlier: (time: number) => boolean): number {
  let rate = callsInMinuteEndingAt(sorted, t);
  let newAfterT = 0;
  for (let i = lowerBound(sorted, t + 1); i < sorted.length && (sorted[i] ?? 0) < t + MINUTE_US; i++) {
    const later = sorted[i] ?? 0;
    if (storedEarlier(later)) rate = Math.max(rate, callsInMinuteEndingAt(sorted, later) - newAfterT);
    else newAfterT++;
  }
  return rate;
}

const money = (usd: number) => `$${usd.toFixed(2)}`;

/**
 * Judges the batch's new events against the agent's baseline, using the session totals that
 * include them, so that a session whose events arrive over several requests, out of order or on
 * two instances at once is judged on all of it. Pure.
 */
export function checkBaseline({ baseline, events, sessions, toolCallTimes }: BaselineCheckInput): BaselineCheckResult {
  const findings: Finding[] = [];
  const peakToolCallsPerMinute = new Map<string, number>();
  const bySession = new Map<string, { index: number; row: EventRow }[]>();
  for (const e of events) {
    const list = bySession.get(e.row.sessionId);
    if (list) list.push(e);
    else bySession.set(e.row.sessionId, [e]);
  }

  for (const [sessionId, sessionEvents] of bySession) {
    const totals = sessions.get(sessionId);
    if (!totals) continue;
    sessionEvents.sort((a, b) => a.row.tsMicros - b.row.tsMicros);
    const times = toolCallTimes.get(sessionId) ?? [];
    const newTimes = new Set(sessionEvents.filter((e) => e.row.actionType === "tool_call").map((e) => e.row.tsMicros));
    const storedEarlier = (time: number) => !newTimes.has(time);
    let peak = 0;
    for (const { row } of sessionEvents) {
      if (row.actionType === "tool_call") peak = Math.max(peak, busiestMinuteAround(times, row.tsMicros));
    }
    if (peak > 0) peakToolCallsPerMinute.set(sessionId, peak);

    if (!baseline) {
      if (totals.eventCount === sessionEvents.length) {
        const first = sessionEvents[0];
        if (first) {
          findings.push({
            type: "unknown_agent",
            severity: "low",
            detail: "This agent has no baseline, configured or learned: its sessions are not being judged for unexpected tools, volume, rate, duration or cost",
            eventIndex: first.index,
            sessionId: null,
            baselineSource: null,
            metric: { family: "anomaly", label: "unknown_agent" },
          });
        }
      }
      continue;
    }

    const { baseline: b, source } = baseline;
    const add = (index: number, type: AlertType, severity: Severity, detail: string) =>
      findings.push({
        type,
        severity: severityFor(source, severity),
        detail,
        eventIndex: index,
        sessionId,
        baselineSource: source,
        metric: { family: "anomaly", label: type },
      });
    const expected = b.expected_tools ? new Set(b.expected_tools) : null;

    const newTools = sessionEvents.filter((e) => e.row.actionType === "tool_call").length;
    const newLlm = sessionEvents.filter((e) => e.row.actionType === "llm_call").length;
    const newCost = sessionEvents.reduce((sum, e) => sum + (e.row.costUsd ?? 0), 0);
    let toolCalls = totals.toolCalls - newTools;
    let llmCalls = totals.llmCalls - newLlm;
    let cost = totals.costUsd - newCost;

    for (const { index, row } of sessionEvents) {
      if (row.actionType === "tool_call") {
        toolCalls++;
        const tool = toolNameOf(row);
        if (expected && !expected.has(tool)) {
          add(index, "unexpected_tool", "high", `The agent called tool "${tool}", which is not among the ${source} baseline's expected tools`);
        }
        const max = b.max_tool_calls_per_session;
        if (max != null && toolCalls > max) {
          add(index, "excessive_tool_calls", "medium", `The session reached ${toolCalls} tool calls; the ${source} baseline allows ${max}`);
        }
        const rateMax = b.max_tool_call_rate_per_minute;
        const rate = rateMax == null ? 0 : rateAtCall(times, row.tsMicros, storedEarlier);
        if (rateMax != null && rate > rateMax) {
          add(index, "tool_call_rate_spike", "high", `${rate} tool calls within one minute; the ${source} baseline allows ${rateMax} per minute`);
        }
      }
      if (row.actionType === "llm_call") {
        llmCalls++;
        const max = b.max_llm_calls_per_session;
        if (max != null && llmCalls > max) {
          add(index, "excessive_llm_calls", "medium", `The session reached ${llmCalls} LLM calls; the ${source} baseline allows ${max}`);
        }
      }
      const maxDuration = b.max_session_duration_seconds;
      const elapsedS = (row.tsMicros - totals.startedAtUs) / 1e6;
      if (maxDuration != null && elapsedS > maxDuration) {
        add(index, "session_too_long", "medium", `The session has run ${Math.round(elapsedS)} s; the ${source} baseline allows ${maxDuration} s`);
      }
      if (row.costUsd) {
        cost += row.costUsd;
        const maxCost = b.max_cost_per_session_usd;
        if (maxCost != null && cost > maxCost) {
          add(index, "session_cost_exceeded", "medium", `The session has cost ${money(cost)}; the ${source} baseline allows ${money(maxCost)}`);
        }
      }
    }
  }
  return { findings, peakToolCallsPerMinute };
}
