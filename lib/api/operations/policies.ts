import { z } from "zod";
import { agentIdSchema } from "@/lib/agents/schemas";
import { agentPolicySchema } from "@/lib/policy/policy";
import { policyDraftQuery, policyDraftSchema, policyViewSchema, removePolicyBody } from "@/lib/policy/schemas";
import { jsonBody, operation } from "../operation";

const agentParams = z.object({ agentId: agentIdSchema });

export const policyApi = {
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
