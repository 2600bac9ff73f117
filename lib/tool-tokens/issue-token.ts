import { randomBytes, randomUUID } from "node:crypto";
import type Redis from "ioredis";
import { policyInEffect } from "@/db/queries/policies";
import { liveToolTokenCount } from "@/db/queries/tool-tokens";
import { toolTokens } from "@/db/schema";
import { parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { socSecret } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { recordAgentEvent } from "@/lib/ingest";
import { takeQuota } from "@/lib/ingest/rate-limit";
import { storedPolicy } from "@/lib/policy/policy";
import { signEdDsa, signHs256, type ToolTokenClaims } from "./jwt";
import { signingKeys } from "./keys";
import { revokeToolToken } from "./revoke";
import { type IssuedToolToken, type IssueToolTokenInput, issueToolTokenBody, TOKEN_AUDIENCE, TOKEN_ISSUER } from "./schemas";
import { scopeWithinPolicy } from "./scope";

export interface ToolTokenSettings {
  /** The guide's shared HS256 secret; undefined: HS256 tokens are refused. */
  hs256Secret: string | undefined;
  /** Where the per-agent issue rate is counted; null: not limited (Redis not configured). */
  redis: Redis | null;
  /** Tokens one agent may be issued per minute. */
  perMinute: number;
  /** Why the agent may not act now (killed, or a global kill), as the agent's own check reads it; null when it may. */
  stopped: () => Promise<string | null>;
}

/** Where an issue or refusal is recorded when the request names no session. */
export const TOOL_TOKEN_SESSION = "tool-tokens";
/** Live tokens one agent may hold: what a kill revokes stays small, and a loop asking for more is refused. */
export const MAX_LIVE_TOKENS_PER_AGENT = 100;

/**
 * Issues a short-lived tool token to the agent whose ingest key asks, only within the agent's policy
 * in effect and never to a stopped agent. The stop is checked before the token is recorded and again
 * after: a kill committed in between revokes it after its own commit, and one that lands after the
 * second check finds the token recorded, so no token outlives a kill. Every issue and refusal is an
 * event of the agent.
 */
export async function issueToolToken({
  ctx,
  agentId,
  input,
  settings,
}: {
  ctx: Ctx;
  agentId: string;
  input: unknown;
  settings: ToolTokenSettings;
}): Promise<IssuedToolToken> {
  if (ctx.actor.type !== "agent") throw new AppError("FORBIDDEN", "Only an agent's ingest key may ask for a tool token");
  const keyId = ctx.actor.keyId;
  const request = parseOrThrow(issueToolTokenBody, input);
  const refuse = async (message: string, field: string) => {
    await recordRefusal(ctx, agentId, request, message);
    return new AppError("FORBIDDEN", message, { details: { errors: [{ path: field, message }] } });
  };
  // Each issue writes a row and an event: one agent asking in a loop must not occupy the database.
  const quota = await takeQuota(settings.redis, `tool-tokens:${agentId}`, 1, settings.perMinute, Date.now());
  if (!quota.allowed) {
    throw new AppError("RATE_LIMITED", `Agent ${agentId} asked for more than ${settings.perMinute} tool tokens this minute; reuse a token until it expires`, {
      headers: { "Retry-After": String(quota.retryAfterSeconds) },
      details: { retry_after_seconds: quota.retryAfterSeconds },
    });
  }
  if (request.alg === "HS256") requireHs256Secret(settings.hs256Secret);

  const stored = await policyInEffect(ctx.db, agentId);
  const policy = stored ? storedPolicy(stored.policy) : null;
  if (!stored || !policy) {
    throw await refuse(`Agent ${agentId} has no security policy: tool tokens are issued only within one (PUT /api/v1/agents/${agentId}/policy)`, "tools");
  }
  const scope = scopeWithinPolicy(policy, request, ctx.sourceIp);
  if (!scope.ok) throw await refuse(scope.message, scope.field);
  const stoppedBefore = await settings.stopped();
  if (stoppedBefore) throw await refuse(`Agent ${agentId} is stopped (${stoppedBefore}): no tool token is issued`, "agent_id");
  const live = await liveToolTokenCount(ctx.db, agentId);
  if (live >= MAX_LIVE_TOKENS_PER_AGENT) {
    throw new AppError("RATE_LIMITED", `Agent ${agentId} holds ${live} live tool tokens, the most it may; reuse one until it expires`, {
      headers: { "Retry-After": "60" },
      details: { live_tokens: live, max_live_tokens: MAX_LIVE_TOKENS_PER_AGENT },
    });
  }

  const keys = request.alg === "EdDSA" ? await signingKeys(ctx.db) : null;
  const issuedAt = Math.floor(Date.now() / 1000);
  const claims: ToolTokenClaims = {
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    sub: agentId,
    iat: issuedAt,
    exp: issuedAt + request.ttl_seconds,
    jti: randomUUID(),
    tools: scope.tools,
    permissions: scope.permissions,
    tool_permissions: scope.toolPermissions,
    nonce: randomBytes(8).toString("hex"),
    ...(scope.approvalRequired.length > 0 ? { approval_id: request.approval_id } : {}),
  };
  const kid = keys?.current.kid ?? null;
  const expiresAt = new Date(claims.exp * 1000).toISOString();
  // The token's row and its event commit together.
  await recordAgentEvent(
    ctx.db,
    tokenEvent(agentId, request, "tool_token_issued", `token ${claims.jti} (${request.alg}), expires ${expiresAt}`),
    { tool_token: { jti: claims.jti, alg: request.alg, kid, expires_at: expiresAt, policy_version: stored.version }, source_ip: ctx.sourceIp },
    async (tx) => {
      await tx.insert(toolTokens).values({
        jti: claims.jti,
        agentId,
        keyId,
        sessionId: request.session_id ?? null,
        tools: claims.tools,
        permissions: claims.permissions,
        toolPermissions: claims.tool_permissions,
        alg: request.alg,
        kid,
        policyVersion: stored.version,
        issuedAt: new Date(claims.iat * 1000),
        expiresAt: new Date(claims.exp * 1000),
      });
    },
  );
  const stoppedAfter = await settings.stopped();
  if (stoppedAfter) {
    await revokeToolToken(ctx.db, { jti: claims.jti, reason: `kill switch: ${stoppedAfter}`, revokedBy: "system:tool-tokens" });
    throw await refuse(`Agent ${agentId} is stopped (${stoppedAfter}): no tool token is issued`, "agent_id");
  }

  const token = keys ? signEdDsa(claims, keys.current) : signHs256(claims, settings.hs256Secret ?? "");
  return {
    token,
    jti: claims.jti,
    alg: request.alg,
    kid,
    exp: claims.exp,
    expires_at: expiresAt,
    tools: claims.tools,
    permissions: claims.permissions,
    tool_permissions: claims.tool_permissions,
    approval_id: claims.approval_id ?? null,
    policy_version: stored.version,
  };
}

function requireHs256Secret(secret: string | undefined): void {
  if (!secret) {
    throw new AppError("VALIDATION", "alg: HS256 tokens are not configured on this console (SOC_TOOL_TOKEN_HS256_SECRET); ask for EdDSA", {
      details: { errors: [{ path: "alg", message: "HS256 is not configured" }] },
    });
  }
  // Every tool holding the shared secret would hold the console's master secret, and every key derived from it.
  if (secret === socSecret())
    throw new AppError("UNAVAILABLE", "SOC_TOOL_TOKEN_HS256_SECRET must differ from SOC_SECRET; HS256 tokens are not issued until it does");
}

/** What the agent's timeline shows of an issue or a refusal: what was asked, and the answer. */
function tokenEvent(agentId: string, request: IssueToolTokenInput, actionName: "tool_token_issued" | "tool_token_refused", answer: string) {
  return {
    timestamp: Date.now() / 1000,
    agent_id: agentId,
    session_id: request.session_id ?? TOOL_TOKEN_SESSION,
    action_type: "security" as const,
    action_name: actionName,
    input_summary: `asked for ${request.tools.map((t) => JSON.stringify(t)).join(", ")} with ${request.permissions.join(", ")} for ${request.ttl_seconds} s`,
    output_summary: answer,
    duration_ms: 0,
    ...(actionName === "tool_token_refused" ? { security_flags: ["tool_token_refused"] } : {}),
  };
}

async function recordRefusal(ctx: Ctx, agentId: string, request: IssueToolTokenInput, message: string): Promise<void> {
  await recordAgentEvent(ctx.db, tokenEvent(agentId, request, "tool_token_refused", message), { source_ip: ctx.sourceIp });
}
