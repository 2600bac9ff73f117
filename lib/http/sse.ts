export interface SseChannel {
  send: (data: unknown, event?: string) => void;
  /** Ends the stream from the server side (for example when the caller's key is revoked). */
  close: () => void;
}

/**
 * A server-sent-event stream: `start` sends what it likes through the channel and returns its
 * clean-up, which runs once, whether the client leaves, the server closes, or the start fails.
 */
export function sseStream(signal: AbortSignal, start: (channel: SseChannel) => Promise<() => void>): Response {
  const encoder = new TextEncoder();
  let finished = false;
  let cleanup: (() => void) | null = null;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | null = null;

  const finish = () => {
    if (finished) return;
    finished = true;
    cleanup?.();
    if (heartbeat) clearInterval(heartbeat);
    try {
      controllerRef?.close();
    } catch {
      // already closed
    }
  };

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controllerRef = controller;
      // Registered before anything is awaited, so a client that leaves at once still releases everything;
      // one that left while the route was still authenticating it never fires the event.
      signal.addEventListener("abort", finish);
      if (signal.aborted) finish();
      const send = (data: unknown, event?: string) => {
        if (finished) return;
        try {
          controller.enqueue(encoder.encode(`${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`));
        } catch {
          finish();
        }
      };
      // Proxies close idle connections; a comment every 15 s keeps the stream open.
      heartbeat = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(": ping\n\n"));
        } catch {
          finish();
        }
      }, 15_000);
      try {
        const release = await start({ send, close: finish });
        if (finished) release();
        else cleanup = release;
      } catch {
        finish();
      }
    },
    cancel: finish,
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
    },
  });
}
