import { describe, expect, it } from "vitest";
import { peersOf } from "./peers";

describe("peersOf", () => {
  it("reads recipients and senders from the guide's message fields and common variants", () => {
    expect(peersOf("planner", { recipient_id: "worker-1", sender_id: "planner", message_type: "task" })).toEqual([
      { peerAgentId: "worker-1", direction: "sent", key: "recipient_id" },
    ]);
    expect(peersOf("worker-1", { sender_id: "planner" })).toEqual([{ peerAgentId: "planner", direction: "received", key: "sender_id" }]);
    expect(peersOf("a", { peer_agent: ["b", "c", "b"] }).map((p) => p.peerAgentId)).toEqual(["b", "c"]);
  });

  it("ignores values that are not agent ids, and events without metadata", () => {
    expect(peersOf("a", null)).toEqual([]);
    expect(peersOf("a", { recipient_id: 42, peer_agent: "two words", to_agent: "" })).toEqual([]);
    expect(peersOf("a", { recipient_id: "x".repeat(200) })).toEqual([]);
  });
});
