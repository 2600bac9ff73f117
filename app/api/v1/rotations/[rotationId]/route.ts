import { getRotationRun } from "@/db/queries/rotations";
import { respond } from "@/lib/api/operation";
import { rotationsApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/lib/http/authed-route";
import { rotationIdSchema } from "@/lib/rotation/schemas";

export const dynamic = "force-dynamic";

/** The run with each credential's step, state, attempts and error (analyst+). */
export const GET = authedRoute<{ rotationId: string }>(rotationsApi.get, async ({ ctx, params }) => {
  const run = await getRotationRun(ctx.db, parseOrThrow(rotationIdSchema, params.rotationId));
  if (!run) throw new AppError("NOT_FOUND", `No rotation ${params.rotationId}`);
  return respond(rotationsApi.get, 200, { rotation: run });
});
