import { describe, expect, it } from "vitest";
import { MAX_EVENT_CHARS, SseParser } from "./sse-parser.js";

describe("SseParser", () => {
  it("reads events split anywhere across chunks, with \\n, \\r\\n or \\r line ends, skipping comments", () => {
    const text =
      'event: status\ndata: {"alive":true}\n\n: ping\n\nevent: status\r\ndata: {"alive":false,\r\ndata: "reason":"x"}\r\n\r\nevent: revoked\rdata: {}\r\r: end\n';
    for (let size = 1; size <= text.length; size++) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      expect(events).toEqual([
        { event: "status", data: '{"alive":true}' },
        { event: "status", data: '{"alive":false,\n"reason":"x"}' },
        { event: "revoked", data: "{}" },
      ]);
    }
  });

  it("gives up on an event that never ends rather than hold unbounded text", () => {
    const parser = new SseParser();
    expect(() => parser.push(`data: ${"x".repeat(MAX_EVENT_CHARS)}`)).toThrow(/larger than/);
  });
});
