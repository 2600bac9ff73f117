import { sign } from "node:crypto";
import { z } from "zod";
import type { Actor } from "@/lib/context";
import { canonicalJson } from "./canonical-json";
import { type EvidenceKey, SIGNATURE_ALGORITHM } from "./signing-key";

export const MANIFEST_FORMAT = "agentsoc-evidence/1";

/** Who froze the session: a person, an API token, or the operator's shell. */
export type TakenBy =
  | { type: "user"; user_id: string; email: string }
  | { type: "api_token"; token_id: string; name: string }
  | { type: "cli" | "system"; id: string };

export interface EvidenceManifest {
  format: typeof MANIFEST_FORMAT;
  snapshot_id: string;
  session_id: string;
  agent_id: string;
  start_time: string;
  end_time: string;
  event_count: number;
  finding_count: number;
  alert_count: number;
  ndjson_sha256: string;
  ndjson_bytes: number;
  taken_by: TakenBy;
  taken_at: string;
  signature_algorithm: typeof SIGNATURE_ALGORITHM;
  public_key_id: string;
  /** Base64 Ed25519 signature over canonicalJson of every other field. */
  signature: string;
}

export type UnsignedManifest = Omit<EvidenceManifest, "signature">;

/** Null for actors that may not take snapshots (agents, strangers): authorisation refuses them first. */
export function takenByOf(actor: Actor): TakenBy | null {
  switch (actor.type) {
    case "user":
      return { type: "user", user_id: actor.userId, email: actor.email };
    case "api_token":
      return { type: "api_token", token_id: actor.tokenId, name: actor.name };
    case "cli":
    case "system":
      return { type: actor.type, id: actor.id };
    default:
      return null;
  }
}

/** The bytes the signature covers: the manifest without its signature, keys sorted, no whitespace. */
export function signedBytes(fields: Record<string, unknown>): Buffer {
  const { signature: _signature, ...rest } = fields;
  return Buffer.from(canonicalJson(rest), "utf8");
}

export function signManifest(unsigned: UnsignedManifest, key: EvidenceKey): EvidenceManifest {
  return { ...unsigned, signature: sign(null, signedBytes({ ...unsigned }), key.privateKey).toString("base64") };
}

/** The manifest file exactly as stored and served; verification insists on this layout byte for byte. */
export function manifestFile(manifest: EvidenceManifest | Record<string, unknown>): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const isoTime = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);

/** What a verifier needs from a manifest; unknown fields are kept (the signature covers them too). */
export const manifestSchema = z.looseObject({
  format: z.literal(MANIFEST_FORMAT, { message: `expected "${MANIFEST_FORMAT}"` }),
  snapshot_id: z.uuid(),
  session_id: z.string().min(1),
  agent_id: z.string().min(1),
  start_time: isoTime,
  end_time: isoTime,
  event_count: count,
  finding_count: count,
  alert_count: count,
  ndjson_sha256: z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lower-case hex digits"),
  ndjson_bytes: count,
  taken_by: z.record(z.string(), z.string()),
  taken_at: isoTime,
  signature_algorithm: z.literal(SIGNATURE_ALGORITHM, { message: `expected "${SIGNATURE_ALGORITHM}"` }),
  public_key_id: z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256: and 64 hex digits"),
  signature: z.base64().min(1),
});
