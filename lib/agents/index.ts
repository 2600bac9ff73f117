export { type IssueIngestKeyInput, issueIngestKey } from "./issue-ingest-key";
export { type RegisteredAgent, registerAgent } from "./register-agent";
export { revokeIngestKey } from "./revoke-ingest-key";
export { agentIdSchema, type RegisterAgentInput, registerAgentInput } from "./schemas";
export { type SetKeyAgentsInput, setKeyAgents } from "./set-key-agents";
