export interface KillSwitchView {
  agent_id: string;
  killed: boolean;
  reason: string | null;
  killed_by: string | null;
  killed_at: string | null;
  source: "console" | "redis";
  acknowledged_at: string | null;
  /** Seconds from the kill to the agent's acknowledgement. */
  time_to_stop_s: number | null;
  actions_after_kill: number;
  last_action_after_kill_at: string | null;
  updated_at: string;
}
