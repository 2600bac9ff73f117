export { grantCapability, revokeCapability } from "./grant-capability";
export { type AgentPolicy, agentPolicySchema, PERMISSIONS } from "./policy";
export { proposePolicy } from "./propose-policy";
export { removePolicy, setPolicy } from "./set-policy";
