/** Metadata keys by which an event names another agent it sent to or heard from. */
export const SENT_KEYS = ["recipient_id", "recipient_agent", "peer_agent", "peer_agent_id", "target_agent", "to_agent"] as const;
export const RECEIVED_KEYS = ["sender_id", "sender_agent", "from_agent"] as const;

export type PeerDirection = "sent" | "received";

export interface PeerMention {
  peerAgentId: string;
  direction: PeerDirection;
  /** The metadata key that named the peer, for the analyst to check. */
  key: string;
}

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function namesIn(value: unknown): string[] {
  const values = Array.isArray(value) ? value.slice(0, 20) : [value];
  return values.filter((v): v is string => typeof v === "string" && AGENT_ID.test(v));
}

/** The other agents an event's metadata names, each once per direction; never the agent itself. */
export function peersOf(agentId: string, metadata: Record<string, unknown> | null | undefined): PeerMention[] {
  if (!metadata) return [];
  const found = new Map<string, PeerMention>();
  const collect = (keys: readonly string[], direction: PeerDirection) => {
    for (const key of keys) {
      for (const peerAgentId of namesIn(metadata[key])) {
        if (peerAgentId !== agentId && !found.has(`${direction}|${peerAgentId}`)) found.set(`${direction}|${peerAgentId}`, { peerAgentId, direction, key });
      }
    }
  };
  collect(SENT_KEYS, "sent");
  collect(RECEIVED_KEYS, "received");
  return [...found.values()];
}
