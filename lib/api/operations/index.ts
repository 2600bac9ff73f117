import { z } from "zod";
import type { ApiOperation } from "../operation";
import { operation } from "../operation";
import { agentDoorApi, agentsApi, killSwitchApi, modelPricesApi } from "./agents";
import { alertsApi, auditApi, baselineApi, canariesApi, dashboardApi } from "./detection";
import { evidenceApi, sessionsApi } from "./forensics";
import { credentialsApi, incidentsApi, notificationsApi, rotationsApi, runbooksApi } from "./incident-response";
import { eventsApi, ingestApi } from "./ingest";
import { authApi, tokensApi, usersApi } from "./people";
import { capabilitiesApi, policyApi } from "./policies";
import { toolTokensApi } from "./tool-tokens";

export const docsApi = {
  openApi: operation({
    method: "GET",
    path: "/api/v1/openapi.json",
    tag: "API reference",
    summary: "This document",
    description: "The whole HTTP API as OpenAPI 3.1, generated from the zod schemas the routes validate with. The console renders it at /api-reference.",
    access: "viewer",
    responses: {
      200: {
        description: "The OpenAPI document",
        schema: z.object({
          openapi: z.string(),
          info: z.object({ title: z.string(), version: z.string(), description: z.string().optional() }),
          tags: z.array(z.object({ name: z.string() })).optional(),
          paths: z.record(z.string(), z.unknown()),
          components: z
            .object({ schemas: z.record(z.string(), z.unknown()).optional(), securitySchemes: z.record(z.string(), z.unknown()).optional() })
            .optional(),
        }),
      },
    },
  }),
};

export const metricsApi = {
  scrape: operation({
    method: "GET",
    path: "/metrics",
    tag: "Metrics",
    summary: "Prometheus metrics",
    description: "Prometheus scrapes with an API token (`authorization: {credentials: <token>}` in its scrape config).",
    access: "viewer",
    responses: { 200: { description: "Prometheus text exposition format 0.0.4", content: { "text/plain": z.string() } } },
  }),
};

export {
  agentDoorApi,
  agentsApi,
  alertsApi,
  auditApi,
  authApi,
  baselineApi,
  canariesApi,
  capabilitiesApi,
  credentialsApi,
  dashboardApi,
  eventsApi,
  evidenceApi,
  incidentsApi,
  ingestApi,
  killSwitchApi,
  modelPricesApi,
  notificationsApi,
  policyApi,
  rotationsApi,
  runbooksApi,
  sessionsApi,
  tokensApi,
  toolTokensApi,
  usersApi,
};

/** Every operation the HTTP API serves, in the order the reference lists them. */
export const API_OPERATIONS: readonly ApiOperation[] = [
  ingestApi,
  agentDoorApi,
  authApi,
  eventsApi,
  sessionsApi,
  evidenceApi,
  alertsApi,
  incidentsApi,
  runbooksApi,
  killSwitchApi,
  agentsApi,
  baselineApi,
  policyApi,
  capabilitiesApi,
  toolTokensApi,
  canariesApi,
  credentialsApi,
  rotationsApi,
  modelPricesApi,
  notificationsApi,
  dashboardApi,
  auditApi,
  usersApi,
  tokensApi,
  docsApi,
  metricsApi,
].flatMap((group): ApiOperation[] => Object.values(group));
