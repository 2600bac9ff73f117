export interface SseEvent {
  event: string;
  data: string;
}

/** The most text one event may hold before the stream is taken for broken (a status is a few hundred bytes). */
export const MAX_EVENT_CHARS = 1024 * 1024;

/**
 * Server-sent events from text chunks as they arrive: events end at a blank line, comments (":")
 * are skipped, "data" lines join with newlines, and a line may end in \n, \r\n or \r.
 */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private size = 0;

  /** Feeds a chunk; returns the events it completed. Throws when one event grows past MAX_EVENT_CHARS. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const done = this.line(line);
      if (done) out.push(done);
    }
    if (this.buffer.length + this.size > MAX_EVENT_CHARS) throw new Error(`server-sent event larger than ${MAX_EVENT_CHARS} characters`);
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === "") {
      const done = this.data.length > 0 ? { event: this.event || "message", data: this.data.join("\n") } : null;
      this.event = "";
      this.data = [];
      this.size = 0;
      return done;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") {
      this.data.push(value);
      this.size += value.length;
    }
    return null;
  }
}
