import type { AgentPolicy, PolicyChange } from "./policy";

export interface PolicyVersionView {
  version: number;
  /** Null for a version that removed the policy. */
  policy: AgentPolicy | null;
  changed_by: string;
  changed_at: string;
  reason: string | null;
  change: PolicyChange;
}

export interface PolicyView {
  agent_id: string;
  /** Null when the agent has no policy: its tool calls are not judged against one. */
  policy: AgentPolicy | null;
  version: number | null;
  updated_by: string | null;
  updated_at: string | null;
  /** Newest first, at most 20. */
  versions: PolicyVersionView[];
}

export interface CapabilityView {
  id: string;
  source_agent: string;
  target_agent: string;
  allowed_actions: string[];
  max_requests_per_minute: number;
  expires_at: string | null;
  expired: boolean;
  created_by: string;
  created_at: string;
  revoked_by: string | null;
  revoked_at: string | null;
  revoke_reason: string | null;
}
