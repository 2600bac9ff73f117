import { z } from "zod";
import { auditFiltersSchema } from "@/db/queries/audit";
import { dashboardRangeSchema } from "@/db/queries/dashboard";
import { alertFiltersSchema } from "@/db/queries/detection";
import { agentIdSchema } from "@/lib/agents/schemas";
import { auditPageSchema, auditVerificationSchema } from "@/lib/audit/schemas";
import { dashboardSchema } from "@/lib/dashboard/schemas";
import { baselineSchema } from "@/lib/detect/baseline";
import {
  acknowledgeAlertInput,
  alertIdSchema,
  alertPageSchema,
  alertViewSchema,
  baselineViewSchema,
  canaryListQuery,
  canaryViewSchema,
  issueCanaryInput,
  resolveAlertInput,
} from "@/lib/detect/schemas";
import { jsonBody, operation } from "../operation";

const alertParams = z.object({ alertId: alertIdSchema });
const agentParams = z.object({ agentId: agentIdSchema });

export const alertsApi = {
  list: operation({
    method: "GET",
    path: "/api/v1/alerts",
    tag: "Alerts",
    summary: "Search alerts, newest first",
    description: "`status=unresolved` means open or acknowledged.",
    access: "viewer",
    query: alertFiltersSchema,
    responses: { 200: { description: "One page of alerts", schema: alertPageSchema } },
  }),
  get: operation({
    method: "GET",
    path: "/api/v1/alerts/{alertId}",
    tag: "Alerts",
    summary: "One alert",
    access: "viewer",
    params: alertParams,
    responses: { 200: { description: "The alert", schema: alertViewSchema } },
    errors: { 404: "no such alert" },
  }),
  acknowledge: operation({
    method: "POST",
    path: "/api/v1/alerts/{alertId}/acknowledge",
    tag: "Alerts",
    summary: "Acknowledge an alert",
    access: "analyst",
    params: alertParams,
    body: jsonBody(acknowledgeAlertInput),
    responses: { 200: { description: "The alert now", schema: alertViewSchema } },
    errors: { 404: "no such alert", 409: "the alert is not open (error.status says what it is)" },
  }),
  resolve: operation({
    method: "POST",
    path: "/api/v1/alerts/{alertId}/resolve",
    tag: "Alerts",
    summary: "Resolve an alert, saying what was found and done",
    access: "analyst",
    params: alertParams,
    body: jsonBody(resolveAlertInput),
    responses: { 200: { description: "The alert now", schema: alertViewSchema } },
    errors: { 404: "no such alert", 409: "the alert is already resolved" },
  }),
};

export const baselineApi = {
  get: operation({
    method: "GET",
    path: "/api/v1/agents/{agentId}/baseline",
    tag: "Detection",
    summary: "An agent's behaviour baseline, configured and learned",
    access: "viewer",
    params: agentParams,
    responses: { 200: { description: "The baselines, and which is in effect", schema: baselineViewSchema } },
    errors: { 404: "no such agent" },
  }),
  set: operation({
    method: "PUT",
    path: "/api/v1/agents/{agentId}/baseline",
    tag: "Detection",
    summary: "Configure an agent's baseline",
    description: "The agent SDK's AgentBehaviorBaseline fields. A configured baseline takes precedence over the learned one.",
    access: "admin",
    params: agentParams,
    body: jsonBody(baselineSchema),
    responses: { 200: { description: "The baselines now", schema: baselineViewSchema } },
    errors: { 404: "no such agent" },
  }),
  learn: operation({
    method: "POST",
    path: "/api/v1/agents/{agentId}/baseline/learn",
    tag: "Detection",
    summary: "Learn the baseline from the last 7 days now",
    description: "Instead of at the next periodic pass.",
    access: "analyst",
    params: agentParams,
    responses: { 200: { description: "The baselines now", schema: baselineViewSchema } },
    errors: { 404: "no such agent" },
  }),
};

export const canariesApi = {
  list: operation({
    method: "GET",
    path: "/api/v1/canaries",
    tag: "Detection",
    summary: "List canary tokens",
    description: "Readable from analyst up: a viewer who knew the tokens could help an attacker strip them from what leaks.",
    access: "analyst",
    query: canaryListQuery,
    responses: { 200: { description: "The canaries", schema: z.object({ canaries: z.array(canaryViewSchema) }) } },
  }),
  issue: operation({
    method: "POST",
    path: "/api/v1/canaries",
    tag: "Detection",
    summary: "Issue a canary token to plant in an agent's context",
    description: "Seeing it in an agent's output raises a canary_leak alert.",
    access: "admin",
    body: jsonBody(issueCanaryInput),
    responses: { 201: { description: "The new canary, with its token", schema: canaryViewSchema } },
    errors: { 404: "no such agent" },
  }),
  retire: operation({
    method: "DELETE",
    path: "/api/v1/canaries/{canaryId}",
    tag: "Detection",
    summary: "Retire a canary",
    access: "admin",
    params: z.object({ canaryId: z.uuid() }),
    responses: { 200: { description: "Retired", schema: z.object({ retired: z.uuid() }) } },
    errors: { 404: "no live canary with that id" },
  }),
};

export const dashboardApi = {
  get: operation({
    method: "GET",
    path: "/api/v1/dashboard",
    tag: "Overview",
    summary: "The overview's figures for a time range",
    access: "viewer",
    query: z.object({ range: dashboardRangeSchema }),
    responses: { 200: { description: "The figures", schema: dashboardSchema } },
  }),
};

export const auditApi = {
  list: operation({
    method: "GET",
    path: "/api/v1/audit",
    tag: "Audit",
    summary: "Search the audit log, newest first",
    access: "analyst",
    query: auditFiltersSchema,
    responses: { 200: { description: "One page of entries", schema: auditPageSchema } },
  }),
  verify: operation({
    method: "GET",
    path: "/api/v1/audit/verify",
    tag: "Audit",
    summary: "Check the audit log's hash chain end to end",
    access: "admin",
    responses: { 200: { description: "Whether it is intact, and the first row that is not", schema: auditVerificationSchema } },
  }),
};
