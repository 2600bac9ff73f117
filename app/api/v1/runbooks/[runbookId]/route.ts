import { getRunbook } from "@/db/queries/runbooks";
import { respond } from "@/lib/api/operation";
import { runbooksApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/lib/http/authed-route";
import { runbookIdSchema, runbookQuery } from "@/lib/runbooks/schemas";
import { runbookView } from "@/lib/runbooks/views";

export const dynamic = "force-dynamic";

/** `?version=` (default: the latest), with the YAML as uploaded in `source`. */
export const GET = authedRoute<{ runbookId: string }>(runbooksApi.get, async ({ req, ctx, params }) => {
  const id = parseOrThrow(runbookIdSchema, params.runbookId);
  const { version } = parseOrThrow(runbookQuery, Object.fromEntries(new URL(req.url).searchParams));
  const runbook = await getRunbook(ctx.db, { id }, version);
  if (!runbook) throw new AppError("NOT_FOUND", `No runbook ${id}${version ? ` at version ${version}` : ""}`);
  return respond(runbooksApi.get, 200, { ...runbookView(runbook), source: runbook.source });
});
