import { respond } from "@/lib/api/operation";
import { ingestApi } from "@/lib/api/operations";
import { env } from "@/lib/env";
import { authenticateIngestKey } from "@/lib/http/agent-door";
import { handle, readBodyCapped } from "@/lib/http/respond";
import { checkIngestHeaders, decodeBody, ingestEvents, parseIngestBody, recordKeyUse, tooLarge } from "@/lib/ingest";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handle(req, async ({ requestId, sourceIp }) => {
    const { db, identity } = await authenticateIngestKey(req);
    const config = env();

    const limits = { maxBytes: config.SOC_INGEST_MAX_BYTES, maxEvents: config.SOC_INGEST_MAX_EVENTS };
    const contentType = req.headers.get("content-type");
    const contentEncoding = req.headers.get("content-encoding");
    checkIngestHeaders(contentType, contentEncoding);
    const raw = await readBodyCapped(req, limits.maxBytes, () => tooLarge(limits));
    const records = parseIngestBody(decodeBody(raw, contentEncoding, limits), contentType, limits);

    const result = await ingestEvents({
      ctx: { db, actor: { type: "agent", agentId: identity.agentId, keyId: identity.keyId }, requestId, sourceIp },
      settings: {
        redis: appRedis(),
        retentionDays: config.SOC_RETENTION_DAYS,
        defaultRateLimitPerMin: config.SOC_INGEST_RATE_LIMIT_PER_MIN,
      },
      input: { records, rateLimitPerMin: identity.rateLimitPerMin, alsoSpeaksFor: identity.alsoSpeaksFor },
    });
    void recordKeyUse(db, identity).catch(() => undefined);
    return respond(ingestApi.ingest, result.rejected.length > 0 ? 207 : 200, result);
  });
}
