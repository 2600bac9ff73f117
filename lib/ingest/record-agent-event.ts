import type { z } from "zod";
import type { Db } from "@/db/client";
import { storeEventRows } from "./insert-event-rows";
import { prepareEventRow } from "./prepare-event-rows";
import { agentEventSchema } from "./schemas";

/**
 * Records an event the console observed of an agent (a tool token it asked for) in the agent's
 * history, redacted like one it sent. `consoleMetadata` is the console's own evidence, added after
 * redaction. No detection runs: the caller already judged it.
 */
export async function recordAgentEvent(db: Db, event: z.input<typeof agentEventSchema>, consoleMetadata: Record<string, unknown> = {}): Promise<void> {
  const row = prepareEventRow(agentEventSchema.parse(event));
  row.metadata = { ...row.metadata, ...consoleMetadata };
  await storeEventRows(db, [row], async () => undefined);
}
