import type { EventRow } from "@/lib/ingest/prepare-event-rows";
import { redactText } from "@/lib/ingest/redact-pii";
import type { AgentEvent } from "@/lib/ingest/schemas";
import { detectInjection } from "./injection";
import { normalizeForScan } from "./normalize-text";
import type { Finding } from "./types";

export interface CanaryRef {
  /** Lower-cased, as scanned text is. */
  token: string;
  placement: string;
  label: string;
}

/** What the text detectors need to know about one agent, loaded once per batch. */
export interface TextProfile {
  canaries: CanaryRef[];
  /** From the configured baseline only, lower-cased and normalised like the text they are looked for in. */
  forbiddenPatterns: string[];
}

const ANY_CANARY_RE = /canary-[a-z0-9_-]{6,64}/g;

/**
 * Which text the agent received (where injections arrive) and which it sent out (where canaries and
 * forbidden output leave). A tool call's input is the agent speaking to the world; its output is
 * the world speaking to the agent, the indirect-injection path.
 */
function directions(event: AgentEvent): { received: { text: string; indirect: boolean }[]; sent: string[] } {
  switch (event.action_type) {
    case "tool_call":
      return { received: [{ text: event.output_summary, indirect: true }], sent: [event.input_summary] };
    case "llm_call":
    case "decision":
      return { received: [{ text: event.input_summary, indirect: false }], sent: [event.output_summary] };
    default:
      // An agent's own security report quotes the attack it blocked; errors are not conversation.
      return { received: [], sent: [] };
  }
}

const quote = (text: string) => JSON.stringify(redactText(text, {}));
/** The event's tool or action by its stored, redacted name: an agent can put PII in a tool name too. */
const where = (row: EventRow) => (row.actionType === "tool_call" ? `tool "${row.toolName ?? row.actionName}"` : `${row.actionType} "${row.actionName}"`);

/**
 * Text findings for one event: injections in what it received, canaries and forbidden patterns in
 * what it sent, and PII the redactor took out of a tool's input or the agent's output. `event` is
 * the text as the agent sent it (scanned in memory only); details quote only matched phrases,
 * redacted again, names from the redacted `row`, and the console's own words.
 */
export function scanEventText(event: AgentEvent, row: EventRow, eventIndex: number, profile: TextProfile): Finding[] {
  const findings: Finding[] = [];
  const base = { eventIndex, sessionId: row.sessionId, baselineSource: null };
  const { received, sent } = directions(event);

  for (const { text, indirect } of received) {
    const match = text ? detectInjection(text) : null;
    if (!match) continue;
    findings.push({
      ...base,
      type: "prompt_injection",
      severity: indirect ? "critical" : "high",
      detail: indirect
        ? `Indirect prompt injection in the output of ${where(row)}: ${quote(match.phrase)} (rule ${match.rule})`
        : `Prompt injection in the input of ${where(row)}: ${quote(match.phrase)} (rule ${match.rule})`,
      metric: { family: "security_detected", label: "prompt_injection_detected" },
    });
  }

  const sentText = sent.filter(Boolean).map(normalizeForScan).join("\n");
  if (sentText) {
    const registered = profile.canaries.filter((c) => sentText.includes(c.token));
    for (const canary of registered) {
      findings.push({
        ...base,
        type: "canary_leak",
        severity: "critical",
        detail: `Canary "${canary.label}" (planted in ${canary.placement.replace("_", " ")}) left the agent through ${where(row)}`,
        metric: { family: "security_detected", label: "canary_token_leaked" },
      });
    }
    const known = new Set(registered.map((c) => c.token));
    const unregistered = [...new Set(sentText.match(ANY_CANARY_RE) ?? [])].filter((marker) => !known.has(marker));
    if (unregistered.length > 0) {
      findings.push({
        ...base,
        type: "canary_leak",
        severity: "high",
        detail: `A canary marker that is not registered for this agent left it through ${where(row)}: ${unregistered.slice(0, 3).map(quote).join(", ")}`,
        metric: { family: "security_detected", label: "unregistered_canary_marker" },
      });
    }
    const forbidden = profile.forbiddenPatterns.filter((p) => sentText.includes(p));
    if (forbidden.length > 0) {
      findings.push({
        ...base,
        type: "forbidden_output",
        severity: "critical",
        baselineSource: "configured",
        detail: `Output of ${where(row)} contains a pattern the baseline forbids: ${forbidden.map(quote).join(", ")}`,
        metric: { family: "anomaly", label: "forbidden_output" },
      });
    }
  }

  const piiOut =
    event.action_type === "tool_call" ? row.piiFound.input : event.action_type === "llm_call" || event.action_type === "decision" ? row.piiFound.output : [];
  if (piiOut.length > 0) {
    const throughTool = event.action_type === "tool_call";
    findings.push({
      ...base,
      type: "pii_exposure",
      severity: throughTool ? "high" : "medium",
      detail: throughTool
        ? `PII (${piiOut.join(", ")}) was sent to ${where(row)}; redacted before storage`
        : `The agent's output in ${where(row)} contained PII (${piiOut.join(", ")}); redacted before storage`,
      metric: { family: "security_detected", label: throughTool ? "pii_in_tool_input" : "pii_in_output" },
    });
  }
  return findings;
}

export function textProfile(canaries: { token: string; placement: string; label: string }[], forbidden: string[] | null | undefined): TextProfile {
  return {
    canaries: canaries.map((c) => ({ ...c, token: c.token.toLowerCase() })),
    forbiddenPatterns: (forbidden ?? []).map(normalizeForScan).filter(Boolean),
  };
}
