import { listRunbooks } from "@/db/queries/runbooks";
import { respond } from "@/lib/api/operation";
import { runbooksApi } from "@/lib/api/operations";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/lib/http/authed-route";
import { readBodyCapped } from "@/lib/http/respond";
import { MAX_RUNBOOK_BYTES } from "@/lib/runbooks";
import { uploadRunbook } from "@/lib/runbooks/store";
import { runbookView } from "@/lib/runbooks/views";

export const dynamic = "force-dynamic";

export const GET = authedRoute(runbooksApi.list, async ({ ctx }) =>
  respond(runbooksApi.list, 200, { runbooks: (await listRunbooks(ctx.db)).map(runbookView) }),
);

/** The runbook's YAML as the body (`Content-Type: application/yaml`), admin: 201 with the new version, 200 when unchanged. */
export const POST = authedRoute(runbooksApi.upload, async ({ req, ctx }) => {
  const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"].includes(type)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", `Send the runbook's YAML with Content-Type: application/yaml (got ${type || "none"})`);
  }
  const body = await readBodyCapped(
    req,
    MAX_RUNBOOK_BYTES,
    () => new AppError("PAYLOAD_TOO_LARGE", `A runbook is at most ${MAX_RUNBOOK_BYTES / 1024} KiB of YAML`),
  );
  const { runbook, created } = await uploadRunbook({ ctx, input: { source: body.toString("utf8") } });
  return respond(runbooksApi.upload, created ? 201 : 200, runbookView(runbook));
});
