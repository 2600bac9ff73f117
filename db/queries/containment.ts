import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";

/**
 * The reads behind an agent's containment dry-run (what a kill would stop). One statement per part,
 * each through an index on the agent (see docs/kill-switches.md, "Before you kill").
 */

export interface AgentKillRow {
  exists: boolean;
  killed: boolean;
  globalKill: boolean;
}

export async function agentKillRow(db: Queryable, agentId: string): Promise<AgentKillRow> {
  const result = await db.execute<{ exists: boolean; killed: boolean | null; global_kill: boolean | null }>(sql`
    SELECT EXISTS (SELECT 1 FROM agents WHERE id = ${agentId}) AS exists,
      (SELECT killed FROM kill_switches WHERE scope = 'agent' AND agent_id = ${agentId}) AS killed,
      (SELECT killed FROM kill_switches WHERE scope = 'global' AND agent_id = '*') AS global_kill`);
  const row = result.rows[0];
  return { exists: row?.exists === true, killed: row?.killed === true, globalKill: row?.global_kill === true };
}

export interface SessionInFlightRow {
  sessionId: string;
  startedAt: Date;
  lastEventAt: Date;
  events: number;
  toolCalls: number;
  costUsd: number;
}

/** Sessions with an event since `since`, latest first, and how many there are in all; `except` names sessions that are not work in flight. */
export async function sessionsInFlight(
  db: Queryable,
  agentId: string,
  since: Date,
  limit: number,
  except: string[] = [],
): Promise<{ total: number; rows: SessionInFlightRow[] }> {
  const result = await db.execute<{
    session_id: string;
    started_at: Date | string;
    last_event_at: Date | string;
    event_count: number;
    tool_calls: number;
    cost_usd: number;
    total: string;
  }>(sql`
    SELECT session_id, started_at, last_event_at, event_count, tool_calls, cost_usd, count(*) OVER () AS total
    FROM sessions WHERE agent_id = ${agentId} AND last_event_at >= ${since.toISOString()}::timestamptz AND session_id <> ALL(${sql.param(except)}::text[])
    ORDER BY last_event_at DESC, session_id LIMIT ${limit}`);
  return {
    total: Number(result.rows[0]?.total ?? 0),
    rows: result.rows.map((r) => ({
      sessionId: r.session_id,
      startedAt: new Date(r.started_at),
      lastEventAt: new Date(r.last_event_at),
      events: Number(r.event_count),
      toolCalls: Number(r.tool_calls),
      costUsd: Number(r.cost_usd),
    })),
  };
}

export interface UnexpiredTokenRow {
  jti: string;
  agentId: string;
  sessionId: string | null;
  tools: string[];
  permissions: string[];
  toolPermissions: Record<string, string[]>;
  alg: string;
  kid: string | null;
  policyVersion: number;
  issuedAt: Date;
  expiresAt: Date;
}

/** The agent's live tool tokens (latest expiry first), their count and last expiry, and how many revoked ones have not expired yet. */
export async function unexpiredToolTokens(
  db: Queryable,
  agentId: string,
  now: Date,
  limit: number,
): Promise<{ live: number; lastExpiresAt: Date | null; revokedUnexpired: number; rows: UnexpiredTokenRow[] }> {
  const result = await db.execute<{
    jti: string | null;
    agent_id: string | null;
    session_id: string | null;
    tools: string[] | null;
    permissions: string[] | null;
    tool_permissions: Record<string, string[]> | null;
    alg: string | null;
    kid: string | null;
    policy_version: number | null;
    issued_at: Date | string | null;
    expires_at: Date | string | null;
    live: string;
    last_expires_at: Date | string | null;
    revoked_unexpired: string;
  }>(sql`
    WITH unexpired AS (
      SELECT * FROM tool_tokens WHERE agent_id = ${agentId} AND expires_at > ${now.toISOString()}::timestamptz
    ), counts AS (
      SELECT count(*) FILTER (WHERE revoked_at IS NULL) AS live, max(expires_at) FILTER (WHERE revoked_at IS NULL) AS last_expires_at,
        count(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked_unexpired
      FROM unexpired
    )
    SELECT t.jti, t.agent_id, t.session_id, t.tools, t.permissions, t.tool_permissions, t.alg, t.kid, t.policy_version, t.issued_at, t.expires_at,
      c.live, c.last_expires_at, c.revoked_unexpired
    FROM counts c
    LEFT JOIN LATERAL (SELECT * FROM unexpired WHERE revoked_at IS NULL ORDER BY expires_at DESC, jti LIMIT ${limit}) t ON true`);
  const first = result.rows[0];
  return {
    live: Number(first?.live ?? 0),
    lastExpiresAt: first?.last_expires_at ? new Date(first.last_expires_at) : null,
    revokedUnexpired: Number(first?.revoked_unexpired ?? 0),
    rows: result.rows.flatMap((r) =>
      r.jti === null || r.agent_id === null || r.issued_at === null || r.expires_at === null
        ? []
        : [
            {
              jti: r.jti,
              agentId: r.agent_id,
              sessionId: r.session_id,
              tools: r.tools ?? [],
              permissions: r.permissions ?? [],
              toolPermissions: r.tool_permissions ?? {},
              alg: r.alg ?? "",
              kid: r.kid,
              policyVersion: Number(r.policy_version ?? 0),
              issuedAt: new Date(r.issued_at),
              expiresAt: new Date(r.expires_at),
            },
          ],
    ),
  };
}

export interface GrantTrafficRow {
  id: string;
  sourceAgent: string;
  targetAgent: string;
  allowedActions: string[];
  maxRequestsPerMinute: number;
  expiresAt: Date | null;
  /** Requests the source logged sending the target, and the target logged receiving from the source. */
  bySource: number;
  byTarget: number;
  lastRequestAt: Date | null;
}

/**
 * The capability grants in force on either side of the agent, each with its traffic since the
 * start of the hour `since` falls in (the communications rollup is hourly).
 */
export async function grantsWithTraffic(db: Queryable, agentId: string, since: Date, limit: number): Promise<GrantTrafficRow[]> {
  const result = await db.execute<{
    id: string;
    source_agent: string;
    target_agent: string;
    allowed_actions: string[];
    max_requests_per_minute: number;
    expires_at: Date | string | null;
    by_source: string | null;
    by_target: string | null;
    last_at: Date | string | null;
  }>(sql`
    SELECT g.id, g.source_agent, g.target_agent, g.allowed_actions, g.max_requests_per_minute, g.expires_at, c.by_source, c.by_target, c.last_at
    FROM capability_grants g
    LEFT JOIN LATERAL (
      SELECT sum(h.count) FILTER (WHERE h.agent_id = g.source_agent) AS by_source,
        sum(h.count) FILTER (WHERE h.agent_id = g.target_agent) AS by_target,
        max(h.last_at) AS last_at
      FROM agent_communications_hourly h
      WHERE h.hour >= date_trunc('hour', ${since.toISOString()}::timestamptz, 'UTC')
        AND ((h.agent_id = g.source_agent AND h.peer_agent_id = g.target_agent AND h.direction = 'sent')
          OR (h.agent_id = g.target_agent AND h.peer_agent_id = g.source_agent AND h.direction = 'received'))
    ) c ON true
    WHERE g.revoked_at IS NULL AND (g.source_agent = ${agentId} OR g.target_agent = ${agentId})
    ORDER BY g.created_at DESC, g.id LIMIT ${limit}`);
  return result.rows.map((r) => ({
    id: r.id,
    sourceAgent: r.source_agent,
    targetAgent: r.target_agent,
    allowedActions: r.allowed_actions,
    maxRequestsPerMinute: Number(r.max_requests_per_minute),
    expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
    bySource: Number(r.by_source ?? 0),
    byTarget: Number(r.by_target ?? 0),
    lastRequestAt: r.last_at === null ? null : new Date(r.last_at),
  }));
}

export interface CredentialRotationRow {
  credentialId: string;
  name: string;
  kind: string;
  /** The credential's item in its latest run, if it was ever in one. */
  latest: { runId: string; state: "pending" | "retrying" | "rotated" | "failed"; step: string; nextAttemptAt: Date } | null;
  lastRotatedAt: Date | null;
}

/** The agent's credentials in the inventory, each with its latest rotation item and its last successful rotation. */
export async function credentialRotations(db: Queryable, agentId: string): Promise<CredentialRotationRow[]> {
  const result = await db.execute<{
    id: string;
    name: string;
    kind: string;
    run_id: string | null;
    state: "pending" | "retrying" | "rotated" | "failed" | null;
    step: string | null;
    next_attempt_at: Date | string | null;
    last_rotated_at: Date | string | null;
  }>(sql`
    SELECT c.id, c.name, c.kind, i.run_id, i.state, i.step, i.next_attempt_at, done.last_rotated_at
    FROM credentials c
    LEFT JOIN LATERAL (
      SELECT i.run_id, i.state, i.step, i.next_attempt_at FROM rotation_items i JOIN rotation_runs r ON r.id = i.run_id
      WHERE i.credential_id = c.id ORDER BY r.created_at DESC LIMIT 1
    ) i ON true
    LEFT JOIN LATERAL (SELECT max(j.finished_at) AS last_rotated_at FROM rotation_items j WHERE j.credential_id = c.id AND j.state = 'rotated') done ON true
    WHERE c.agent_id = ${agentId} AND c.retired_at IS NULL
    ORDER BY c.name`);
  return result.rows.map((r) => ({
    credentialId: r.id,
    name: r.name,
    kind: r.kind,
    latest:
      r.run_id !== null && r.state !== null && r.step !== null && r.next_attempt_at !== null
        ? { runId: r.run_id, state: r.state, step: r.step, nextAttemptAt: new Date(r.next_attempt_at) }
        : null,
    lastRotatedAt: r.last_rotated_at === null ? null : new Date(r.last_rotated_at),
  }));
}
