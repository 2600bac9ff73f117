export { type AgentPolicy, agentPolicySchema, PERMISSIONS } from "./policy";
export { removePolicy, setPolicy } from "./set-policy";
