import http from "node:http";
import { stampPeerAddresses } from "@/lib/http/peer-address";

type Handler = (req: Request) => Promise<Response>;

/**
 * Serves a route handler over a real TCP socket, with the peer stamp the console installs at start-up,
 * so a test can see which address a request is recorded under. The translation to a Request is what
 * Next.js does for a route handler: the method, the URL's path, the headers as the server holds them.
 */
export async function serveOverTcp(handler: Handler): Promise<{ port: number; close: () => Promise<void> }> {
  stampPeerAddresses();
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(Buffer.from(chunk));
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
      const response = await handler(new Request(`http://soc.test${req.url ?? "/"}`, { method: req.method, headers, body }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((err: unknown) => {
      res.writeHead(599);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the test server has no TCP port");
  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A request over TCP from a chosen loopback address (any of 127.0.0.0/8), as a distinct client would send it. */
export function requestOverTcp(
  port: number,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: string; from: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: opts.method, path: opts.path, headers: opts.headers, localAddress: opts.from }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}
