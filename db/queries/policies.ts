import { and, desc, eq, isNull, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { TAINTING_ALERT } from "@/db/queries/detection";
import { agentPolicies, agentPolicyVersions, agents, capabilityGrants } from "@/db/schema";
import type { PolicyEvidence } from "@/lib/policy/draft-policy";
import type { AgentPolicy, PolicyChange } from "@/lib/policy/policy";
import type { CapabilityView, FleetPoliciesView, PolicyView } from "@/lib/policy/views";

const VERSIONS_SHOWN = 20;
const noChange: PolicyChange = { added_tools: [], removed_tools: [], changed: [] };

/** An agent's policy in effect and its recent versions, newest first. */
export async function getPolicy(db: Queryable, agentId: string): Promise<PolicyView> {
  const [current, versions] = await Promise.all([
    db.select().from(agentPolicies).where(eq(agentPolicies.agentId, agentId)),
    db.select().from(agentPolicyVersions).where(eq(agentPolicyVersions.agentId, agentId)).orderBy(desc(agentPolicyVersions.version)).limit(VERSIONS_SHOWN),
  ]);
  const row = current[0];
  return {
    agent_id: agentId,
    policy: (row?.policy as AgentPolicy | undefined) ?? null,
    version: row?.version ?? null,
    updated_by: row?.updatedBy ?? null,
    updated_at: row?.updatedAt.toISOString() ?? null,
    versions: versions.map((v) => ({
      version: v.version,
      policy: (v.policy as AgentPolicy | null) ?? null,
      changed_by: v.changedBy,
      changed_at: v.changedAt.toISOString(),
      reason: v.reason,
      change: (v.change as unknown as PolicyChange | null) ?? noChange,
    })),
  };
}

/** Every agent's policy in effect, by agent id, and the agents that have none. */
export async function listFleetPolicies(db: Queryable): Promise<FleetPoliciesView> {
  const [withPolicy, without] = await Promise.all([
    db
      .select({
        agentId: agentPolicies.agentId,
        displayName: agents.displayName,
        policy: agentPolicies.policy,
        version: agentPolicies.version,
        updatedBy: agentPolicies.updatedBy,
        updatedAt: agentPolicies.updatedAt,
      })
      .from(agentPolicies)
      .innerJoin(agents, eq(agents.id, agentPolicies.agentId))
      .orderBy(agentPolicies.agentId)
      .limit(1000),
    db.execute<{ id: string; total: number }>(sql`
      SELECT a.id, (count(*) OVER ())::int AS total FROM agents a
      WHERE NOT EXISTS (SELECT 1 FROM agent_policies p WHERE p.agent_id = a.id)
      ORDER BY a.id LIMIT 500`),
  ]);
  return {
    policies: withPolicy.map((r) => ({
      agent_id: r.agentId,
      display_name: r.displayName,
      policy: r.policy as AgentPolicy,
      version: r.version,
      updated_by: r.updatedBy,
      updated_at: r.updatedAt.toISOString(),
    })),
    without_policy: without.rows.map((r) => r.id),
    without_policy_total: without.rows[0]?.total ?? 0,
  };
}

/** Tools a draft looks at, busiest first: as many as a policy may grant. */
const MAX_DRAFT_TOOLS = 500;
/** Tools seen only in left-out sessions that a draft names, busiest first. */
const MAX_EXCLUDED_TOOLS = 50;

/**
 * What the agent's tool calls of the last `days` days reported, per tool, and its sessions' peaks:
 * the evidence a drafted policy stands on. Reads the agent's own events through its (agent_id, ts)
 * index, on demand only. Sessions with a high or critical alert are left out, as a learned
 * baseline leaves them out: a policy drafted from an attack would grant the attacker's tools. The
 * tools seen only in those sessions are named, with their counts, so the draft can say what it left out.
 */
export async function readPolicyEvidence(
  db: Queryable,
  agentId: string,
  { days, maxResources }: { days: number; maxResources: number },
): Promise<PolicyEvidence> {
  const since = sql`now() - ${days}::int * interval '1 day'`;
  const [tools, sessionStats] = await Promise.all([
    db.execute<{
      excluded: boolean;
      tool: string;
      calls: number;
      sessions: number;
      permissions: string[] | null;
      resources: string[] | null;
      resource_count: number | null;
      peak_per_minute: number | null;
      max_rows: string | null;
      approved_calls: number;
    }>(sql`
      WITH flagged AS MATERIALIZED (
        -- Judged once per session (an event in the window belongs to a session active in it), then looked up per call.
        SELECT s.session_id FROM sessions s WHERE s.agent_id = ${agentId} AND s.last_event_at >= ${since} AND EXISTS (
          SELECT 1 FROM alerts a WHERE a.agent_id = s.agent_id AND a.session_id = s.session_id AND ${TAINTING_ALERT}
        )
      ), seen AS MATERIALIZED (
        SELECT coalesce(e.tool_name, e.action_name) AS tool, e.session_id, e.ts, e.metadata, f.session_id IS NOT NULL AS flagged
        FROM events e LEFT JOIN flagged f ON f.session_id = e.session_id
        WHERE e.agent_id = ${agentId} AND e.action_type = 'tool_call' AND e.ts >= ${since}
      ), calls AS (
        SELECT tool, session_id, ts, metadata FROM seen WHERE NOT flagged
      ), minutes AS (
        -- The window the detector counts a tool's rate in: the minute ending at each call, in its session.
        SELECT tool, max(n)::int AS peak FROM (
          SELECT tool, count(*) OVER (PARTITION BY tool, session_id ORDER BY ts RANGE BETWEEN interval '59.999999 seconds' PRECEDING AND CURRENT ROW) AS n
          FROM calls
        ) m GROUP BY tool
      ), resources AS (
        SELECT tool, (array_agg(r ORDER BY r))[1:${maxResources}::int] AS resources, count(*)::int AS resource_count FROM (
          SELECT DISTINCT tool, r FROM (
            SELECT tool, metadata->>'resource' AS r FROM calls WHERE jsonb_typeof(metadata->'resource') = 'string'
            UNION ALL
            SELECT tool, e #>> '{}' FROM calls, jsonb_array_elements(CASE WHEN jsonb_typeof(metadata->'resource') = 'array' THEN metadata->'resource' ELSE '[]' END) e
            WHERE jsonb_typeof(e) = 'string'
          ) all_r
        ) d GROUP BY tool
      ), granted AS (
        SELECT c.tool, count(*)::int AS calls, count(DISTINCT c.session_id)::int AS sessions,
          array_agg(DISTINCT lower(btrim(c.metadata->>'permission'))) FILTER (WHERE jsonb_typeof(c.metadata->'permission') = 'string') AS permissions,
          r.resources, r.resource_count, m.peak AS peak_per_minute,
          max((c.metadata->>'row_count')::numeric) FILTER (WHERE jsonb_typeof(c.metadata->'row_count') = 'number') AS max_rows,
          (count(*) FILTER (WHERE jsonb_typeof(c.metadata->'approval_id') = 'string' AND btrim(c.metadata->>'approval_id') <> ''))::int AS approved_calls
        FROM calls c LEFT JOIN resources r ON r.tool = c.tool LEFT JOIN minutes m ON m.tool = c.tool
        GROUP BY c.tool, r.resources, r.resource_count, m.peak
        ORDER BY calls DESC, c.tool LIMIT ${MAX_DRAFT_TOOLS}
      ), left_out AS (
        SELECT tool, count(*)::int AS calls, count(DISTINCT session_id)::int AS sessions FROM seen
        GROUP BY tool HAVING bool_and(flagged)
        ORDER BY calls DESC, tool LIMIT ${MAX_EXCLUDED_TOOLS}
      )
      SELECT false AS excluded, * FROM granted
      UNION ALL
      SELECT true, tool, calls, sessions, NULL, NULL, NULL, NULL, NULL, 0 FROM left_out
      ORDER BY excluded, calls DESC, tool`),
    db.execute<{ sessions: number; excluded: number; max_seconds: number | null; max_tool_calls: number | null }>(sql`
      WITH recent AS (
        SELECT s.*, EXISTS (
          SELECT 1 FROM alerts a WHERE a.agent_id = s.agent_id AND a.session_id = s.session_id AND ${TAINTING_ALERT}
        ) AS flagged
        FROM sessions s WHERE s.agent_id = ${agentId} AND s.last_event_at >= ${since}
      )
      SELECT count(*) FILTER (WHERE NOT flagged)::int AS sessions, count(*) FILTER (WHERE flagged)::int AS excluded,
        max(extract(epoch FROM last_event_at - started_at)) FILTER (WHERE NOT flagged)::float8 AS max_seconds,
        max(tool_calls) FILTER (WHERE NOT flagged) AS max_tool_calls
      FROM recent`),
  ]);
  const stats = sessionStats.rows[0];
  return {
    window_days: days,
    sessions: stats?.sessions ?? 0,
    excluded_sessions_with_high_alerts: stats?.excluded ?? 0,
    max_session_seconds: stats?.max_seconds ?? null,
    max_tool_calls_per_session: stats?.max_tool_calls || null,
    tools: tools.rows
      .filter((t) => !t.excluded)
      .map((t) => ({
        tool: t.tool,
        calls: t.calls,
        sessions: t.sessions,
        permissions: t.permissions ?? [],
        resources: t.resources ?? [],
        resource_count: t.resource_count ?? 0,
        peak_per_minute: t.peak_per_minute ?? 0,
        max_rows: t.max_rows === null ? null : Number(t.max_rows),
        approved_calls: t.approved_calls,
      })),
    excluded_tools: tools.rows.filter((t) => t.excluded).map((t) => ({ tool: t.tool, calls: t.calls, sessions: t.sessions })),
  };
}

/** The capability registry, newest first: grants in force (expired ones marked), and revoked ones when asked. */
export async function listCapabilities(
  db: Queryable,
  { agentId, includeRevoked, id }: { agentId?: string; includeRevoked: boolean; id?: string },
): Promise<CapabilityView[]> {
  const rows = await db
    .select()
    .from(capabilityGrants)
    .where(
      and(
        includeRevoked ? undefined : isNull(capabilityGrants.revokedAt),
        agentId ? or(eq(capabilityGrants.sourceAgent, agentId), eq(capabilityGrants.targetAgent, agentId)) : undefined,
        id ? eq(capabilityGrants.id, id) : undefined,
      ),
    )
    .orderBy(desc(capabilityGrants.createdAt))
    .limit(1000);
  const now = Date.now();
  return rows.map((g) => ({
    id: g.id,
    source_agent: g.sourceAgent,
    target_agent: g.targetAgent,
    allowed_actions: g.allowedActions,
    max_requests_per_minute: g.maxRequestsPerMinute,
    expires_at: g.expiresAt?.toISOString() ?? null,
    expired: g.expiresAt !== null && g.expiresAt.getTime() < now,
    created_by: g.createdBy,
    created_at: g.createdAt.toISOString(),
    revoked_by: g.revokedBy,
    revoked_at: g.revokedAt?.toISOString() ?? null,
    revoke_reason: g.revokeReason,
  }));
}

/** The stored policy in effect and its version, without its history: what a token is issued within. */
export async function policyInEffect(db: Queryable, agentId: string): Promise<{ policy: unknown; version: number } | null> {
  const [row] = await db.select({ policy: agentPolicies.policy, version: agentPolicies.version }).from(agentPolicies).where(eq(agentPolicies.agentId, agentId));
  return row ?? null;
}
