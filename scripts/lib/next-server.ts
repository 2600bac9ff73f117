import path from "node:path";

export const NEXT_BIN = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");

/**
 * Node arguments for `next start`. Ingest allocates a few megabytes per 500-event request that die
 * young; a 64 MB semi-space (default 16 MB) cuts scavenges enough to add about a tenth to ingest
 * throughput (bench:ingest), for at most ~200 MB more memory.
 */
export function nextStartArgs(port: number | string, host?: string): string[] {
  return ["--max-semi-space-size=64", NEXT_BIN, "start", "-p", String(port), ...(host ? ["-H", host] : [])];
}
