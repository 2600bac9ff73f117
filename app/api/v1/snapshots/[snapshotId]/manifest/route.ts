import { evidenceApi } from "@/lib/api/operations";
import { attachmentHeaders, downloadSnapshot } from "@/lib/forensics/evidence";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** Each download is recorded in the chain of custody, so with a browser session it must start from the console's own pages. */
export const GET = authedRoute<{ snapshotId: string }>(
  evidenceApi.manifest,
  async ({ ctx, params }) => {
    const file = await downloadSnapshot({ ctx, input: { snapshotId: params.snapshotId, file: "manifest" } });
    return new Response(new Uint8Array(file.body), { headers: attachmentHeaders(file) });
  },
  { auditedRead: true },
);
