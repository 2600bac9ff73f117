import { isIP } from "node:net";
import path from "node:path";

export const NEXT_BIN = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");

/**
 * Node arguments for `next start` on one address (without -H, Next.js listens on every interface).
 * Ingest allocates a few megabytes per 500-event request that die young; a 64 MB semi-space
 * (default 16 MB) cuts scavenges enough to add about a tenth to ingest throughput (bench:ingest),
 * for at most ~200 MB more memory.
 */
export function nextStartArgs(port: number | string, host: string): string[] {
  return ["--max-semi-space-size=64", NEXT_BIN, "start", "-p", String(port), "-H", host];
}

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
}

/** What the launcher starts and says: the server's arguments, the address to open, and a warning when it listens beyond loopback. */
export function launcherServer(config: { PORT: number; SOC_LISTEN_HOST: string }): { args: string[]; url: string; warning: string | null } {
  const host = config.SOC_LISTEN_HOST;
  const wildcard = host === "0.0.0.0" || host === "::";
  const shown = wildcard ? "127.0.0.1" : isIP(host) === 6 ? `[${host}]` : host;
  return {
    args: nextStartArgs(config.PORT, host),
    url: `http://${shown}:${config.PORT}`,
    warning: isLoopbackHost(host)
      ? null
      : `listening on ${wildcard ? "every interface" : host} over plain HTTP: put a TLS-terminating proxy in front (and set SOC_TRUSTED_PROXY_HOPS to its hops), or set SOC_LISTEN_HOST=127.0.0.1`,
  };
}
