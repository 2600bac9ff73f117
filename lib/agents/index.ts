export { issueIngestKey, type IssueIngestKeyInput } from "./issue-ingest-key";
export { registerAgent, type RegisteredAgent } from "./register-agent";
export { revokeIngestKey } from "./revoke-ingest-key";
export { setKeyAgents, type SetKeyAgentsInput } from "./set-key-agents";
export { agentIdSchema, registerAgentInput, type RegisterAgentInput } from "./schemas";
