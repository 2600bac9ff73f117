import { createHash, createHmac } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted at every level, so a value hashes the same however its keys were ordered. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export interface ChainedContent {
  id: number;
  at: Date;
  actorType: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  reason: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  sourceIp: string | null;
}

export type HashAlg = "hmac-sha256" | "sha256";

/**
 * Keyed with the console's secret, a row cannot be rewritten and re-chained by someone who can only
 * write the database; without a secret the chain still shows careless edits, not a careful forger.
 */
export function auditRowHash(prevHash: string, row: ChainedContent, key: string | null): string {
  const content = canonicalJson([
    row.id,
    row.at.toISOString(),
    row.actorType,
    row.actorId,
    row.action,
    row.targetType,
    row.targetId,
    row.reason,
    row.before ?? null,
    row.after ?? null,
    row.requestId,
    row.sourceIp,
  ]);
  const hash = key ? createHmac("sha256", key) : createHash("sha256");
  return hash.update(`${prevHash}\n${content}`).digest("hex");
}

export type ChainProblem = { id: number; kind: "altered" | "removed" | "unverifiable"; message: string };

/** Checks one row against the row before it; the first problem found names the row to look at. */
export function checkChainLink(
  previous: { id: number; hash: string } | null,
  row: ChainedContent & { prevHash: string; hash: string; hashAlg: HashAlg },
  key: string | null,
): ChainProblem | null {
  const expectedId = (previous?.id ?? 0) + 1;
  if (row.id !== expectedId) {
    const missing = row.id - 1 === expectedId ? `row ${expectedId}` : `rows ${expectedId}–${row.id - 1}`;
    return { id: row.id, kind: "removed", message: `${missing} removed: row ${row.id} follows row ${previous?.id ?? "(start)"}` };
  }
  if (row.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
    return {
      id: row.id,
      kind: "altered",
      message: `row ${row.id} does not link to row ${previous?.id ?? "(start)"}: its prev_hash or the earlier row's hash was changed`,
    };
  }
  if (row.hashAlg === "hmac-sha256" && !key) {
    return { id: row.id, kind: "unverifiable", message: `row ${row.id} is keyed: set SOC_SECRET (or run beside the launcher's .data/secret) to verify it` };
  }
  // With a key, every row must be keyed: an unkeyed row is one written without the secret, or forged by someone without it.
  if (row.hashAlg === "sha256" && key) {
    return { id: row.id, kind: "altered", message: `row ${row.id} is not keyed with this console's secret: written without it, or forged` };
  }
  if (auditRowHash(row.prevHash, row, row.hashAlg === "hmac-sha256" ? key : null) !== row.hash) {
    return { id: row.id, kind: "altered", message: `row ${row.id} was altered: its content no longer matches its hash` };
  }
  return null;
}
