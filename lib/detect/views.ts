import type { CANARY_PLACEMENTS } from "@/db/schema/detection";

export interface BaselineView {
  agent_id: string;
  configured: Record<string, unknown> | null;
  configured_by: string | null;
  configured_at: string | null;
  learned: Record<string, unknown> | null;
  learned_evidence: Record<string, unknown> | null;
  learned_at: string | null;
  /** Which one the detectors use now. */
  in_effect: "configured" | "learned" | null;
}

export interface CanaryView {
  id: string;
  agent_id: string;
  token: string;
  placement: (typeof CANARY_PLACEMENTS)[number];
  label: string;
  created_by: string;
  created_at: string;
  retired_at: string | null;
}
