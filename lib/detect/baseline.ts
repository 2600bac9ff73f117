import { z } from "zod";
import type { BaselineSource, Severity } from "./types";
import { SEVERITIES } from "./types";

/**
 * An agent's expected behaviour, with the field names of the guide's AgentBehaviorBaseline, which
 * security teams already write down. A missing or null field is not checked; an empty
 * expected_tools list means the agent may call no tool at all.
 */
export const baselineSchema = z
  .object({
    expected_tools: z.array(z.string().min(1).max(200)).max(500).nullable().optional(),
    max_tool_calls_per_session: z.number().int().positive().max(10_000_000).nullable().optional(),
    max_llm_calls_per_session: z.number().int().positive().max(10_000_000).nullable().optional(),
    max_session_duration_seconds: z.number().positive().max(31_536_000).nullable().optional(),
    max_cost_per_session_usd: z.number().positive().max(1_000_000).nullable().optional(),
    max_tool_call_rate_per_minute: z.number().int().positive().max(1_000_000).nullable().optional(),
    forbidden_patterns_in_output: z.array(z.string().trim().min(1).max(500)).max(200).nullable().optional(),
  })
  .strict();

export type Baseline = z.infer<typeof baselineSchema>;

/** The baseline an event is judged by, and whose it is. */
export interface EffectiveBaseline {
  baseline: Baseline;
  source: BaselineSource;
}

/**
 * A configured baseline wins; an agent without one is judged by what it learned, one severity
 * lower (a learned limit is a guess); an agent with neither is not judged, and says so.
 */
export function effectiveBaseline(configured: Baseline | null, learned: Baseline | null): EffectiveBaseline | null {
  if (configured) return { baseline: configured, source: "configured" };
  if (learned) return { baseline: learned, source: "learned" };
  return null;
}

export function severityFor(source: BaselineSource, configured: Severity): Severity {
  if (source === "configured") return configured;
  return SEVERITIES[Math.max(0, SEVERITIES.indexOf(configured) - 1)] ?? "low";
}

/** Reads a stored baseline; a row that no longer parses (an older shape) counts as none rather than failing ingest. */
export function storedBaseline(value: unknown): Baseline | null {
  if (value == null) return null;
  const parsed = baselineSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
