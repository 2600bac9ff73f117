import { storableText } from "@/lib/storable-text";
import type { BodyRecord } from "./parse-body";
import { isObject } from "./parse-body";
import { type AgentEvent, agentEventSchema, type FieldError, type RejectedRecord } from "./schemas";

export interface ValidationWindow {
  nowSeconds: number;
  retentionDays: number;
  /** Agents' clocks drift; beyond this an event's time is not believable. */
  maxFutureSeconds: number;
}

export interface ValidatedEvents {
  valid: { index: number; event: AgentEvent }[];
  rejected: RejectedRecord[];
}

export function validateEvents(records: BodyRecord[], window: ValidationWindow): ValidatedEvents {
  const valid: ValidatedEvents["valid"] = [];
  const rejected: RejectedRecord[] = [];
  const oldest = window.nowSeconds - window.retentionDays * 86_400;
  const newest = window.nowSeconds + window.maxFutureSeconds;

  for (const record of records) {
    if ("parseError" in record) {
      rejected.push({ index: record.index, event_id: null, errors: [{ path: "", message: record.parseError }] });
      continue;
    }
    const result = agentEventSchema.safeParse(record.value);
    if (!result.success) {
      const errors: FieldError[] = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join("."),
        message: issue.message,
      }));
      rejected.push({ index: record.index, event_id: claimedEventId(record.value), errors });
      continue;
    }
    const event = result.data;
    if (event.timestamp < oldest || event.timestamp > newest) {
      const message =
        event.timestamp < oldest
          ? `older than the retention window of ${window.retentionDays} days`
          : `more than ${window.maxFutureSeconds} s in the future (check the agent's clock; timestamps are epoch seconds)`;
      rejected.push({ index: record.index, event_id: event.event_id ?? null, errors: [{ path: "timestamp", message }] });
      continue;
    }
    valid.push({ index: record.index, event });
  }
  return { valid, rejected };
}

/** Records whose agent_id names an agent the key does not speak for: the whole request is refused and kept as evidence. */
export function findImpersonations(records: BodyRecord[], speaksFor: ReadonlySet<string>): { index: number; agent_id: string }[] {
  const found: { index: number; agent_id: string }[] = [];
  for (const record of records) {
    if (!("value" in record) || !isObject(record.value)) continue;
    const claimed = record.value.agent_id;
    if (typeof claimed === "string" && !speaksFor.has(claimed)) {
      // Kept as evidence whatever it holds: storable, so the record of the attempt cannot fail on it.
      found.push({ index: record.index, agent_id: storableText(claimed.slice(0, 128)) });
    }
  }
  return found;
}

function claimedEventId(value: unknown): string | null {
  return isObject(value) && typeof value.event_id === "string" ? value.event_id.slice(0, 64) : null;
}
