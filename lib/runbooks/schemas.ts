import { z } from "zod";

export const runbookIdSchema = z.uuid({ message: "runbook id: expected a UUID" });

/** Query of GET /api/v1/runbooks/{runbookId}: a version, or the latest. */
export const runbookQuery = z.strictObject({ version: z.coerce.number().int().positive().optional() });
