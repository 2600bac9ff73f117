import { eventsApi } from "@/lib/api/operations";
import { exportEvents, exportHeaders } from "@/lib/events/export-events";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** Each export is audited, so with a browser session it must start from the console's own pages. */
export const GET = authedRoute(
  eventsApi.export,
  async ({ req, ctx }) => {
    const file = await exportEvents({ ctx, input: { params: new URL(req.url).searchParams } });
    return new Response(file.body, { headers: exportHeaders(file) });
  },
  { auditedRead: true },
);
