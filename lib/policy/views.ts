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

/** One agent's policy in the fleet view. */
export interface FleetPolicyView {
  agent_id: string;
  display_name: string;
  policy: AgentPolicy;
  version: number;
  updated_by: string;
  updated_at: string;
}

/** Who may call what across the fleet: the agents with a policy, and those without one. */
export interface FleetPoliciesView {
  policies: FleetPolicyView[];
  /** Agents without a policy (their tool calls are not judged against one), by id, at most 500. */
  without_policy: string[];
  without_policy_total: number;
}
