import type { AgentKillRow, CredentialRotationRow, GrantTrafficRow, SessionInFlightRow, UnexpiredTokenRow } from "@/db/queries/containment";
import { type Containment, type ContainmentGrant, type ContainmentRotation, IN_FLIGHT_MINUTES, REQUEST_WINDOW_HOURS, type SessionInFlight } from "./schemas";

export interface ContainmentRows {
  agentId: string;
  now: Date;
  kill: AgentKillRow;
  sessions: { total: number; rows: SessionInFlightRow[] };
  tokens: { live: number; lastExpiresAt: Date | null; revokedUnexpired: number; rows: UnexpiredTokenRow[] };
  grants: GrantTrafficRow[];
  /** Null when the reader may not see credentials. */
  rotations: CredentialRotationRow[] | null;
}

function grantView(g: GrantTrafficRow, nowMs: number): ContainmentGrant {
  return {
    grant_id: g.id,
    source_agent: g.sourceAgent,
    target_agent: g.targetAgent,
    allowed_actions: g.allowedActions,
    max_requests_per_minute: g.maxRequestsPerMinute,
    expires_at: g.expiresAt?.toISOString() ?? null,
    expired: g.expiresAt !== null && g.expiresAt.getTime() <= nowMs,
    // Both agents log the same exchange; the larger account counts it once even when one side does not log.
    requests_24h: Math.max(g.bySource, g.byTarget),
    last_request_at: g.lastRequestAt?.toISOString() ?? null,
  };
}

/** Busiest first: the dependent a responder must warn is at the top. In force before expired. */
function byWeight(a: ContainmentGrant, b: ContainmentGrant): number {
  return Number(a.expired) - Number(b.expired) || b.requests_24h - a.requests_24h || (b.last_request_at ?? "").localeCompare(a.last_request_at ?? "");
}

function rotationView(c: CredentialRotationRow): ContainmentRotation {
  const live = c.latest !== null && (c.latest.state === "pending" || c.latest.state === "retrying");
  return {
    credential_id: c.credentialId,
    name: c.name,
    kind: c.kind,
    automatic: live,
    next_due_at: live && c.latest ? c.latest.nextAttemptAt.toISOString() : null,
    step: live && c.latest ? c.latest.step : null,
    last_run_state: c.latest === null ? "never_rotated" : live ? "rotating" : c.latest.state === "rotated" ? "rotated" : "failed",
    last_run_id: c.latest?.runId ?? null,
    last_rotated_at: c.lastRotatedAt?.toISOString() ?? null,
  };
}

/** What a kill of the agent would stop, from the rows its reads returned. Pure. */
export function assembleContainment(rows: ContainmentRows): Containment {
  const nowMs = rows.now.getTime();
  const sessions: SessionInFlight[] = rows.sessions.rows.map((s) => ({
    session_id: s.sessionId,
    started_at: s.startedAt.toISOString(),
    last_event_at: s.lastEventAt.toISOString(),
    events: s.events,
    tool_calls: s.toolCalls,
    cost_usd: s.costUsd,
  }));
  const grants = rows.grants.map((g) => grantView(g, nowMs));
  return {
    agent_id: rows.agentId,
    killed: rows.kill.killed,
    global_kill: rows.kill.globalKill,
    windows: { sessions_in_flight_minutes: IN_FLIGHT_MINUTES, requests_hours: REQUEST_WINDOW_HOURS },
    sessions_in_flight_total: Math.max(rows.sessions.total, sessions.length),
    sessions_in_flight: sessions,
    tool_tokens: {
      live: rows.tokens.live,
      last_expires_at: rows.tokens.lastExpiresAt?.toISOString() ?? null,
      revoked_unexpired: rows.tokens.revokedUnexpired,
      tokens: rows.tokens.rows.map((t) => ({
        jti: t.jti,
        agent_id: t.agentId,
        session_id: t.sessionId,
        tools: t.tools,
        permissions: t.permissions,
        tool_permissions: t.toolPermissions,
        alg: t.alg,
        kid: t.kid,
        policy_version: t.policyVersion,
        issued_at: t.issuedAt.toISOString(),
        expires_at: t.expiresAt.toISOString(),
        state: "live" as const,
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
      })),
    },
    dependents: grants.filter((g) => g.target_agent === rows.agentId).sort(byWeight),
    depends_on: grants.filter((g) => g.source_agent === rows.agentId).sort(byWeight),
    rotations: rows.rotations === null ? null : rows.rotations.map(rotationView),
    computed_at: rows.now.toISOString(),
  };
}
