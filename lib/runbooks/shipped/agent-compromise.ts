/** The guide's agent compromise runbook as issue 7 quotes it; kept byte for byte equal to agent-compromise.yaml. */
export const AGENT_COMPROMISE_RUNBOOK = `agent_compromise_runbook:
  severity: critical
  escalation_path: [oncall_engineer, security_team_lead, cto]
  immediate_actions:
    - step: "Activate kill switch for the compromised agent"
      command: "redis-cli HSET agent:killswitch:{agent_id} killed true reason 'Security incident {incident_id}'"
      timeout: "30 seconds"
    - step: "Preserve all logs for the affected session"
      command: "python -m agent_forensics snapshot --agent-id {agent_id} --session-id {session_id} --output /incidents/{incident_id}/"
      timeout: "2 minutes"
    - step: "Check if other agents interacted with the compromised agent"
      command: "python -m agent_forensics trace-communications --agent-id {agent_id} --since {incident_start}"
      timeout: "5 minutes"
  investigation_steps:
    - step: "Build incident timeline"
      description: "Reconstruct the full sequence of agent actions during the affected period"
      tool: "agent_forensics.build_timeline"
    - step: "Identify injection vector"
      description: "Determine how the agent was compromised (direct injection, indirect injection via data, tool output manipulation)"
  remediation_steps:
    - step: "Rotate all credentials the agent had access to"
      command: "python -m agent_security rotate-credentials --agent-id {agent_id} --incident-id {incident_id}"
    - step: "Review agent permissions"
      description: "Determine if the agent had more access than necessary"
  post_incident:
    - step: "Conduct blameless post-mortem"
    - step: "Re-enable the agent only after security review"
`;
