import { readMetrics } from "@/db/queries/metrics";
import { metricsApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";
import { formatPrometheus } from "@/lib/metrics/prometheus";

export const dynamic = "force-dynamic";

/** Prometheus scrapes with an API token (`authorization: {credentials: <token>}` in its scrape config). */
export const GET = authedRoute(
  metricsApi.scrape,
  async ({ ctx }) =>
    new Response(formatPrometheus(await readMetrics(ctx.db)), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" },
    }),
);
