import { env } from "@/lib/env";
import { authenticateIngestKey } from "@/lib/http/agent-door";
import { handle, readBodyCapped } from "@/lib/http/respond";
import { checkContentEncoding, inflateBody, recordKeyUse, tooLarge } from "@/lib/ingest";
import { otlpEncoding, requireOtlpEncoding } from "@/lib/otlp/decode-request";
import { exportTraces } from "@/lib/otlp/export-traces";
import { exportResponse, otlpErrorRenderer } from "@/lib/otlp/respond";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/**
 * OTLP/HTTP trace export (`OTEL_EXPORTER_OTLP_ENDPOINT=<console>/api/v1/otlp`), protobuf or JSON,
 * gzip or not, with the agent's ingest key as the bearer token. Answers in the request's encoding.
 */
export async function POST(req: Request): Promise<Response> {
  const contentType = req.headers.get("content-type");
  return handle(
    req,
    async ({ requestId, sourceIp }) => {
      const { db, identity } = await authenticateIngestKey(req);
      const config = env();
      const limits = { maxBytes: config.SOC_INGEST_MAX_BYTES, maxEvents: config.SOC_INGEST_MAX_EVENTS };
      const encoding = requireOtlpEncoding(contentType);
      const contentEncoding = req.headers.get("content-encoding");
      checkContentEncoding(contentEncoding);
      const raw = await readBodyCapped(req, limits.maxBytes, () => tooLarge(limits));

      const result = await exportTraces({
        ctx: { db, actor: { type: "agent", agentId: identity.agentId, keyId: identity.keyId }, requestId, sourceIp },
        settings: {
          redis: appRedis(),
          retentionDays: config.SOC_RETENTION_DAYS,
          defaultRateLimitPerMin: config.SOC_INGEST_RATE_LIMIT_PER_MIN,
        },
        input: {
          body: inflateBody(raw, contentEncoding, limits),
          encoding,
          rateLimitPerMin: identity.rateLimitPerMin,
          alsoSpeaksFor: identity.alsoSpeaksFor,
          limits,
        },
      });
      void recordKeyUse(db, identity).catch(() => undefined);
      return exportResponse(result, encoding);
    },
    otlpErrorRenderer(otlpEncoding(contentType) ?? "json"),
  );
}
