import { agentExists } from "@/db/queries/ingest-keys";
import { agentToolTokens } from "@/db/queries/tool-tokens";
import { respond } from "@/lib/api/operation";
import { toolTokensApi } from "@/lib/api/operations";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { authenticateAgent } from "@/lib/http/agent-door";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { handle, pathParams } from "@/lib/http/respond";
import { appRedis } from "@/lib/redis";
import { issueToolToken } from "@/lib/tool-tokens";

export const dynamic = "force-dynamic";

/** The agent asks, with its own ingest key: `{"tools": [...], "permissions": [...], "ttl_seconds"?, "alg"?, "session_id"?}`. */
export async function POST(req: Request, route: { params: Promise<{ agentId: string }> }): Promise<Response> {
  return handle(req, async ({ requestId, sourceIp }) => {
    const { agentId } = await pathParams(route);
    const { db, identity } = await authenticateAgent(req, agentId);
    const config = env();
    const issued = await issueToolToken({
      ctx: { db, actor: { type: "agent", agentId, keyId: identity.keyId }, requestId, sourceIp },
      agentId,
      input: await readJson(req),
      settings: { hs256Secret: config.SOC_TOOL_TOKEN_HS256_SECRET, redis: appRedis(), perMinute: config.SOC_TOOL_TOKENS_PER_MIN },
    });
    return respond(toolTokensApi.issue, 201, issued, { "cache-control": "no-store" });
  });
}

export const GET = authedRoute<{ agentId: string }>(toolTokensApi.list, async ({ ctx, params }) => {
  if (!(await agentExists(ctx.db, params.agentId))) throw new AppError("NOT_FOUND", `Agent ${params.agentId} is not registered`);
  return respond(toolTokensApi.list, 200, await agentToolTokens(ctx.db, params.agentId));
});
