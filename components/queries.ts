import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { z } from "zod";
import type { secondFactorStatusSchema } from "@/lib/auth/totp";
import type { SessionView } from "@/lib/auth/views";
import type { Containment } from "@/lib/containment/schemas";
import type { rotationFailureSchema } from "@/lib/credentials/schemas";
import type { CredentialView } from "@/lib/credentials/views";
import type { Dashboard, DashboardRange } from "@/lib/dashboard/views";
import type { EventPage, RawEventFilters } from "@/lib/events/views";
import type { SnapshotView } from "@/lib/forensics/evidence/views";
import type { SessionTimeline, SessionTimelinePage } from "@/lib/forensics/session-timeline";
import type { IncidentStatus, IncidentSummary, IncidentView, RunbookView } from "@/lib/incidents/types";
import type { killSwitchStateSchema } from "@/lib/killswitch/schemas";
import type { deliveryPageSchema } from "@/lib/notify/schemas";
import type { DestinationView } from "@/lib/notify/views";
import type { CapabilityView, FleetPoliciesView } from "@/lib/policy/views";
import type { RotationRunView } from "@/lib/rotation/views";
import type { AgentToolTokens } from "@/lib/tool-tokens/schemas";
import { callApi } from "./api-client";

/**
 * Every query the console's pages read: its key and its fetcher, in one place, so that a change
 * invalidates what it touched by the same key the reader used. Keys are hierarchical: invalidating
 * `["incidents"]` refreshes every incident list and detail.
 */

async function getJson<T>(url: string): Promise<T> {
  const result = await callApi<T>("GET", url);
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
const segment = encodeURIComponent;

export type IncidentFilter = IncidentStatus | "active";

export const incidentQueries = {
  all: ["incidents"] as const,
  list: (status: IncidentFilter) =>
    queryOptions({
      queryKey: ["incidents", "list", status] as const,
      queryFn: async () => (await getJson<{ incidents: IncidentSummary[] }>(`/api/v1/incidents?${query({ status })}`)).incidents,
    }),
  detail: (id: number) =>
    queryOptions({
      queryKey: ["incidents", "detail", id] as const,
      queryFn: () => getJson<IncidentView>(`/api/v1/incidents/${id}`),
    }),
};

export type IncidentRotationFailure = z.infer<typeof rotationFailureSchema>;

export const rotationQueries = {
  all: ["rotations"] as const,
  detail: (id: string) =>
    queryOptions({
      queryKey: ["rotations", "detail", id] as const,
      queryFn: async () => (await getJson<{ rotation: RotationRunView }>(`/api/v1/rotations/${segment(id)}`)).rotation,
    }),
  ofAgent: (agentId: string) =>
    queryOptions({
      queryKey: ["rotations", "agent", agentId] as const,
      queryFn: async () => (await getJson<{ rotations: RotationRunView[] }>(`/api/v1/rotations?${query({ agent_id: agentId })}`)).rotations,
    }),
  incidentFailures: (incidentId: number) =>
    queryOptions({
      queryKey: ["rotations", "incident-failures", incidentId] as const,
      queryFn: async () => (await getJson<{ failures: IncidentRotationFailure[] }>(`/api/v1/incidents/${incidentId}/rotation-failures`)).failures,
    }),
};

export const credentialQueries = {
  ofAgent: (agentId: string) =>
    queryOptions({
      queryKey: ["credentials", agentId] as const,
      queryFn: async () => (await getJson<{ credentials: CredentialView[] }>(`/api/v1/credentials?${query({ agent_id: agentId })}`)).credentials,
    }),
};

export const runbookQueries = {
  list: () =>
    queryOptions({
      queryKey: ["runbooks"] as const,
      queryFn: async () => (await getJson<{ runbooks: RunbookView[] }>("/api/v1/runbooks")).runbooks,
    }),
  /** One runbook's latest version with the YAML as uploaded. */
  source: (id: string) =>
    queryOptions({
      queryKey: ["runbooks", id, "source"] as const,
      queryFn: () => getJson<RunbookView & { source: string }>(`/api/v1/runbooks/${segment(id)}`),
    }),
};

export interface PolicyDraft {
  policy: unknown;
  notes: Record<string, string[]>;
  skipped_tools: string[];
  excluded_tools: string[];
}

export const policyQueries = {
  /** Every agent's policy in effect, and the agents without one. */
  fleet: () => queryOptions({ queryKey: ["policies", "fleet"] as const, queryFn: () => getJson<FleetPoliciesView>("/api/v1/policies") }),
  /** A policy proposed from the agent's last `days` of tool calls; never saved by reading it. */
  draft: (agentId: string, days: number) =>
    queryOptions({
      queryKey: ["policies", agentId, "draft", days] as const,
      queryFn: () => getJson<PolicyDraft>(`/api/v1/agents/${segment(agentId)}/policy/draft?${query({ days: String(days) })}`),
      staleTime: 0,
    }),
};

export const capabilityQueries = {
  /** The registry's grants in force, expired ones included and marked. */
  list: () =>
    queryOptions({
      queryKey: ["capabilities"] as const,
      queryFn: async () => (await getJson<{ capabilities: CapabilityView[] }>("/api/v1/capabilities")).capabilities,
    }),
};

/** The answer of GET /api/v1/killswitch, typed by the schema the server answers with (a type import: nothing of it reaches the browser). */
export type KillSwitchState = z.infer<typeof killSwitchStateSchema>;

export const killSwitchQueries = {
  state: () => queryOptions({ queryKey: ["killswitch"] as const, queryFn: () => getJson<KillSwitchState>("/api/v1/killswitch") }),
};

export const containmentQueries = {
  all: ["containment"] as const,
  /** What a kill of the agent would stop: computed on request, so never served from the cache when asked again. */
  ofAgent: (agentId: string) =>
    queryOptions({
      queryKey: ["containment", agentId] as const,
      queryFn: () => getJson<Containment>(`/api/v1/agents/${segment(agentId)}/containment`),
      staleTime: 0,
    }),
};

export const toolTokenQueries = {
  all: ["tool-tokens"] as const,
  /** The tokens an agent holds now, then its latest expired and revoked ones. */
  ofAgent: (agentId: string) =>
    queryOptions({
      queryKey: ["tool-tokens", agentId] as const,
      queryFn: () => getJson<AgentToolTokens>(`/api/v1/agents/${segment(agentId)}/tool-tokens`),
    }),
};

export const dashboardQueries = {
  range: (range: DashboardRange) =>
    queryOptions({ queryKey: ["dashboard", range] as const, queryFn: () => getJson<Dashboard>(`/api/v1/dashboard?${query({ range })}`) }),
};

export const eventQueries = {
  search: (filters: RawEventFilters) =>
    infiniteQueryOptions({
      queryKey: ["events", filters] as const,
      queryFn: ({ pageParam }) => getJson<EventPage>(`/api/v1/events?${query({ ...filters, limit: "100", ...(pageParam ? { cursor: pageParam } : {}) })}`),
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.next_cursor,
    }),
};

export const sessionQueries = {
  timeline: (sessionId: string, agentId: string, actionType: string, pageSize: number) =>
    infiniteQueryOptions({
      queryKey: ["sessions", sessionId, agentId, "timeline", actionType] as const,
      queryFn: ({ pageParam }) =>
        getJson<SessionTimelinePage | SessionTimeline>(
          `/api/v1/sessions/${segment(sessionId)}/timeline?${query({
            agent_id: agentId,
            limit: String(pageSize),
            ...(actionType ? { action_type: actionType } : {}),
            ...(pageParam ? { cursor: pageParam } : {}),
          })}`,
        ),
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.next_cursor,
    }),
  snapshots: (sessionId: string, agentId: string) =>
    queryOptions({
      queryKey: ["sessions", sessionId, agentId, "snapshots"] as const,
      queryFn: async () =>
        (await getJson<{ snapshots: SnapshotView[] }>(`/api/v1/sessions/${segment(sessionId)}/snapshots?${query({ agent_id: agentId })}`)).snapshots,
    }),
};

export type SecondFactorStatus = z.infer<typeof secondFactorStatusSchema>;

export const accountQueries = {
  secondFactor: () => queryOptions({ queryKey: ["account", "mfa"] as const, queryFn: () => getJson<SecondFactorStatus>("/api/v1/auth/mfa") }),
  sessions: () =>
    queryOptions({
      queryKey: ["account", "sessions"] as const,
      queryFn: async () => (await getJson<{ sessions: SessionView[] }>("/api/v1/auth/sessions")).sessions,
    }),
};

export const userQueries = {
  sessions: (userId: string) =>
    queryOptions({
      queryKey: ["users", userId, "sessions"] as const,
      queryFn: async () => (await getJson<{ sessions: SessionView[] }>(`/api/v1/users/${segment(userId)}/sessions`)).sessions,
    }),
};

export type DeliveryFilters = { destination_id: string; status: string; before_id: number | null };
export type DeliveryPage = z.infer<typeof deliveryPageSchema>;

export const notificationQueries = {
  all: ["notifications"] as const,
  destinations: () =>
    queryOptions({
      queryKey: ["notifications", "destinations"] as const,
      queryFn: () => getJson<{ destinations: DestinationView[] }>("/api/v1/notifications/destinations"),
    }),
  deliveries: (f: DeliveryFilters) =>
    queryOptions({
      queryKey: ["notifications", "deliveries", f] as const,
      queryFn: () =>
        getJson<DeliveryPage>(
          `/api/v1/notifications/deliveries?${query({
            ...(f.destination_id ? { destination_id: f.destination_id } : {}),
            ...(f.status ? { status: f.status } : {}),
            ...(f.before_id !== null ? { before_id: String(f.before_id) } : {}),
          })}`,
        ),
    }),
};
