import { createConnection, createServer, type Socket } from "node:net";

export interface TcpProxy {
  /** The console's URL through the proxy. */
  url: string;
  /** Ingest requests that passed through so far (each "POST /api/v1/ingest" request line seen). */
  ingestPosts(): number;
  /** The console becomes unreachable: open connections are cut and new ones refused until resume(). */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of the built console, so a test can take the console away from an agent and give it back. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let paused = false;
  let posts = 0;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (paused) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("data", (chunk: Buffer) => {
      posts += chunk.toString("latin1").split("POST /api/v1/ingest HTTP/1.1").length - 1;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no TCP port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    ingestPosts: () => posts,
    pause() {
      paused = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    resume() {
      paused = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
