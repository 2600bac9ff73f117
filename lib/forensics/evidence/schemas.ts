import { z } from "zod";

export const snapshotIdSchema = z.uuid({ message: "snapshot id: expected a UUID" });

export const snapshotSessionIdSchema = z
  .string({ message: "session id: expected text" })
  .min(1, "session id: must not be empty")
  .max(256, "session id: at most 256 characters");

/** Body of POST /api/v1/sessions/{session_id}/snapshot: which agent's part, when the session has several. */
export const takeSnapshotBody = z.strictObject({
  agent_id: z.string().min(1, "agent_id: must not be empty").max(128, "agent_id: at most 128 characters").optional(),
});

export const snapshotListQuery = z.strictObject({
  agent_id: z.string().min(1).max(128).optional(),
});
