import type { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { storeEventRows } from "./insert-event-rows";
import { prepareEventRow } from "./prepare-event-rows";
import { agentEventSchema } from "./schemas";

/**
 * Records an event the console observed of an agent (a tool token it asked for) in the agent's
 * history, redacted like one it sent. `consoleMetadata` is the console's own evidence, added after
 * redaction. `within` runs in the same transaction: the event stands only if what it reports does.
 * No detection runs: the caller already judged it.
 */
export async function recordAgentEvent<T = undefined>(
  db: Db,
  event: z.input<typeof agentEventSchema>,
  consoleMetadata: Record<string, unknown> = {},
  within: (tx: Tx) => Promise<T> = async () => undefined as T,
): Promise<T> {
  const row = prepareEventRow(agentEventSchema.parse(event));
  row.metadata = { ...row.metadata, ...consoleMetadata };
  return (await storeEventRows(db, [row], within)).result;
}
