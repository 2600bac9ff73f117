import { randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";

/**
 * Next.js gives route handlers no socket, and fills X-Forwarded-For from the socket only when the
 * client sent none, so a client without a proxy in front chooses its own "address". Instead, the
 * server stamps each request's TCP peer into a header of its own, under a secret of this process: a
 * client-sent header of that name is replaced, and one that reached the app unstamped cannot carry the
 * secret, so it is ignored.
 */
export const PEER_HEADER = "x-agentsoc-peer";

const STAMP = Symbol.for("agentsoc.peer-stamp");
type Stamped = typeof globalThis & { [STAMP]?: string };

/** Installs the stamp on every Node HTTP server of this process (once; called at start-up). */
export function stampPeerAddresses(): void {
  const global = globalThis as Stamped;
  if (global[STAMP]) return;
  const secret = randomBytes(24).toString("base64url");
  global[STAMP] = secret;
  const emit: (this: http.Server, event: string, ...args: unknown[]) => boolean = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]): boolean {
    const req = args[0];
    if (event === "request" && req instanceof http.IncomingMessage) {
      const address = req.socket.remoteAddress;
      if (address) req.headers[PEER_HEADER] = `${secret} ${address}`;
      else delete req.headers[PEER_HEADER];
    }
    return emit.call(this, event, ...args);
  };
}

/** The TCP peer the server stamped on this request; null when it was not stamped by this process. */
export function stampedPeer(headers: Headers): string | null {
  const secret = (globalThis as Stamped)[STAMP];
  const value = headers.get(PEER_HEADER);
  if (!secret || !value) return null;
  const space = value.indexOf(" ");
  const given = Buffer.from(value.slice(0, Math.max(0, space)));
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const address = value.slice(space + 1);
  // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d; record it as the address people know.
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
