import { respond } from "@/lib/api/operation";
import { runbooksApi } from "@/lib/api/operations";
import { z } from "zod";
import { getRunbook } from "@/db/queries/runbooks";
import { parseOrThrow } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/lib/http/authed-route";
import { runbookView } from "@/lib/runbooks/views";

export const dynamic = "force-dynamic";

const query = z.strictObject({ version: z.coerce.number().int().positive().optional() });

/** `?version=` (default: the latest), with the YAML as uploaded in `source`. */
export const GET = authedRoute<{ runbookId: string }>(runbooksApi.get, async ({ req, ctx, params }) => {
  const id = parseOrThrow(z.uuid({ message: "runbook id: expected a UUID" }), params.runbookId);
  const { version } = parseOrThrow(query, Object.fromEntries(new URL(req.url).searchParams));
  const runbook = await getRunbook(ctx.db, { id }, version);
  if (!runbook) throw new AppError("NOT_FOUND", `No runbook ${id}${version ? ` at version ${version}` : ""}`);
  return respond(runbooksApi.get, 200, { ...runbookView(runbook), source: runbook.source });
});
