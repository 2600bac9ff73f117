import { AppError } from "@/lib/errors";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1"]);

export interface ServerAddress {
  host: string;
  port: number;
}

function normalHost(host: string): string {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  // No host, or a Unix socket directory: this machine.
  return bare === "" || bare.startsWith("/") || LOOPBACK.has(bare) ? "localhost" : bare;
}

/** The same host name (this machine's names counted as one) and port. */
export function isSameServer(a: ServerAddress, b: ServerAddress): boolean {
  return a.port === b.port && normalHost(a.host) === normalHost(b.host);
}

/**
 * The console changes a credential through its one admin login, but agents reach the credential at
 * the host its config names: if those are not the same server, the change would land on another
 * server (disabling a stranger's login there) while this one kept its old secret. Refused before
 * any change; waiting will not fix it.
 */
export function requireSameServer(step: string, what: string, admin: ServerAddress, credential: ServerAddress, setting: string): void {
  if (isSameServer(admin, credential)) return;
  throw new AppError(
    "VALIDATION",
    `${step}: the console's admin login reaches ${what} at ${admin.host || "localhost"}:${admin.port}, not ${credential.host}:${credential.port} where this credential is used; point ${setting} at that server, or rotate this credential by hand`,
  );
}
