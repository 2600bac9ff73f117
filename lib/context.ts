import type { Db } from "@/db/client";
import type { Role } from "@/db/schema/auth";

export type Actor =
  | { type: "user"; userId: string; email: string; role: Role; sessionId: string; mustChangePassword?: boolean }
  | { type: "api_token"; tokenId: string; name: string; role: Role }
  | { type: "agent"; agentId: string; keyId: string }
  | { type: "cli"; id: string }
  | { type: "system"; id: string }
  | { type: "anonymous" };

/** What every domain verb receives besides its input: who acts, on which database, for which request. */
export interface Ctx {
  db: Db;
  actor: Actor;
  requestId: string;
  sourceIp: string | null;
}

/** The audit log's "who": readable, and stable for the life of the account, token or agent. */
export function actorId(actor: Actor): string {
  switch (actor.type) {
    case "user":
      return `user:${actor.email}`;
    case "api_token":
      return `token:${actor.name}:${actor.tokenId.slice(0, 8)}`;
    case "agent":
      return `agent:${actor.agentId}`;
    case "anonymous":
      return "anonymous";
    default:
      return `${actor.type}:${actor.id}`;
  }
}
