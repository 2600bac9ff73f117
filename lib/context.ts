import type { Db } from "@/db/client";

export type Actor =
  | { type: "agent"; agentId: string; keyId: string }
  | { type: "cli"; id: string }
  | { type: "system"; id: string };

/** What every domain verb receives besides its input: who acts, on which database, for which request. */
export interface Ctx {
  db: Db;
  actor: Actor;
  requestId: string;
  sourceIp: string | null;
}

export function actorId(actor: Actor): string {
  return actor.type === "agent" ? `agent:${actor.agentId}` : `${actor.type}:${actor.id}`;
}
