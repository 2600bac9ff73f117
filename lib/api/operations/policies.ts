import { z } from "zod";
import { agentIdSchema } from "@/lib/agents/schemas";
import { grantCapabilityInput } from "@/lib/policy/capabilities";
import { agentPolicySchema } from "@/lib/policy/policy";
import {
  capabilityIdSchema,
  capabilityListQuery,
  capabilityViewSchema,
  fleetPoliciesSchema,
  policyDraftQuery,
  policyDraftSchema,
  policyViewSchema,
  removePolicyBody,
} from "@/lib/policy/schemas";
import { jsonBody, operation } from "../operation";

const agentParams = z.object({ agentId: agentIdSchema });

export const policyApi = {
  list: operation({
    method: "GET",
    path: "/api/v1/policies",
    tag: "Policies",
    summary: "Who may call what: every agent's security policy",
    description: "The policies in effect across the fleet, by agent id, and the agents without one.",
    access: "viewer",
    responses: { 200: { description: "The fleet's policies", schema: fleetPoliciesSchema } },
  }),
  get: operation({
    method: "GET",
    path: "/api/v1/agents/{agentId}/policy",
    tag: "Policies",
    summary: "An agent's security policy and its recent versions",
    access: "viewer",
    params: agentParams,
    responses: { 200: { description: "The policy in effect (null when none) and the last 20 versions", schema: policyViewSchema } },
    errors: { 404: "no such agent" },
  }),
  set: operation({
    method: "PUT",
    path: "/api/v1/agents/{agentId}/policy",
    tag: "Policies",
    summary: "Set an agent's security policy",
    description:
      "The guide's AgentSecurityPolicy fields; left-out limits take the guide's defaults. Each change is a new version, audited with what it changed. Tool calls outside it raise `policy_violation` alerts.",
    access: "admin",
    params: agentParams,
    body: jsonBody(agentPolicySchema),
    responses: { 200: { description: "The policy now", schema: policyViewSchema } },
    errors: { 404: "no such agent" },
  }),
  remove: operation({
    method: "DELETE",
    path: "/api/v1/agents/{agentId}/policy",
    tag: "Policies",
    summary: "Remove an agent's security policy",
    description: "Its tool calls are no longer judged against a policy. Recorded as a version without a policy.",
    access: "admin",
    params: agentParams,
    body: jsonBody(removePolicyBody),
    responses: { 200: { description: "The agent without a policy, and its versions", schema: policyViewSchema } },
    errors: { 404: "no such agent, or it has no policy" },
  }),
  draft: operation({
    method: "GET",
    path: "/api/v1/agents/{agentId}/policy/draft",
    tag: "Policies",
    summary: "Draft a least-privilege policy from what the agent did",
    description:
      "Only the tools it called, the permissions and resources its calls reported, and limits at its observed peaks × 1.5, each line with its evidence. Changes nothing: adopt it with PUT.",
    access: "analyst",
    params: agentParams,
    query: policyDraftQuery,
    responses: { 200: { description: "The proposed policy and its evidence", schema: policyDraftSchema } },
    errors: { 404: "no such agent" },
  }),
};

export const capabilitiesApi = {
  list: operation({
    method: "GET",
    path: "/api/v1/capabilities",
    tag: "Policies",
    summary: "The capability registry: what each agent may ask another",
    description: "Grants in force, newest first; expired ones are marked `expired`. `include_revoked=true` adds revoked ones.",
    access: "viewer",
    query: capabilityListQuery,
    responses: { 200: { description: "The grants", schema: z.object({ capabilities: z.array(capabilityViewSchema) }) } },
  }),
  grant: operation({
    method: "POST",
    path: "/api/v1/capabilities",
    tag: "Policies",
    summary: "Grant one agent the right to ask another for some actions",
    description:
      "The guide's AgentCapability (`expires_at` in epoch seconds, 0 for none). Requests outside the grants of an agent the registry knows raise `unauthorized_agent_request` alerts.",
    access: "admin",
    body: jsonBody(grantCapabilityInput),
    responses: { 201: { description: "The grant", schema: capabilityViewSchema } },
    errors: { 409: "the pair already holds a grant in force" },
  }),
  revoke: operation({
    method: "DELETE",
    path: "/api/v1/capabilities/{capabilityId}",
    tag: "Policies",
    summary: "Revoke a capability grant",
    access: "admin",
    params: z.object({ capabilityId: capabilityIdSchema }),
    body: jsonBody(removePolicyBody),
    responses: { 200: { description: "The grant, revoked", schema: capabilityViewSchema } },
    errors: { 404: "no grant in force with that id" },
  }),
};
