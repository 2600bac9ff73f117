/** The response to a leaked canary or other data exfiltration; kept byte for byte equal to data-exfiltration.yaml. */
export const DATA_EXFILTRATION_RUNBOOK = `data_exfiltration_runbook:
  severity: critical
  escalation_path: [oncall_engineer, security_team_lead, data_protection_officer, cto]
  immediate_actions:
    - step: "Activate kill switch for the leaking agent"
      command: "redis-cli HSET agent:killswitch:{agent_id} killed true reason 'Data exfiltration incident {incident_id}'"
      timeout: "30 seconds"
    - step: "Preserve all logs for the affected session"
      command: "python -m agent_forensics snapshot --agent-id {agent_id} --session-id {session_id} --output /incidents/{incident_id}/"
      timeout: "2 minutes"
    - step: "Check which agents received output from the leaking agent"
      command: "python -m agent_forensics trace-communications --agent-id {agent_id} --since {incident_start}"
      timeout: "5 minutes"
  investigation_steps:
    - step: "Build incident timeline"
      description: "Reconstruct every output and tool call of the agent since {incident_start}"
      tool: "agent_forensics.build_timeline"
    - step: "Establish what left and where it went"
      description: "List the canary tokens, system prompt text, personal data and records that appear in outputs or tool inputs, and the destination of each"
    - step: "Identify the extraction vector"
      description: "Find the input that made the agent disclose data (direct injection, a document or tool output carrying instructions)"
  remediation_steps:
    - step: "Rotate all credentials the agent had access to"
      command: "python -m agent_security rotate-credentials --agent-id {agent_id} --incident-id {incident_id}"
      timeout: "15 minutes"
    - step: "Retire the leaked canary and place a new one"
      description: "A leaked canary no longer detects anything: retire it and issue a fresh token for the agent's system prompt"
    - step: "Notify the owners of the leaked data"
      description: "Tell each data owner what left, when and to whom, quoting incident {incident_id}"
      timeout: "24 hours"
    - step: "Involve privacy and legal when personal data left"
      description: "The data protection officer decides whether regulators and affected people must be told (often within 72 hours)"
      timeout: "24 hours"
    - step: "Ask the receiving parties to delete the data"
      description: "Request deletion from every destination found during investigation and record their confirmation"
  post_incident:
    - step: "Conduct blameless post-mortem"
    - step: "Reduce the data the agent can read to what its task needs"
    - step: "Re-enable the agent only after security review"
`;
