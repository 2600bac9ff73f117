import { createHash, createHmac, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { AppError } from "@/lib/errors";
import { requireSocSecret } from "@/lib/notify/seal";

const SEED_LABEL = "agentsoc evidence signing key v1";
/** PKCS#8 DER of an Ed25519 private key, up to the 32-byte seed that follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export const SIGNATURE_ALGORITHM = "Ed25519";

export interface EvidenceKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** `sha256:` + hex SHA-256 of the public key's SPKI DER: what a manifest names its key by. */
  publicKeyId: string;
}

export function publicKeyIdOf(publicKey: KeyObject): string {
  return `sha256:${createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")}`;
}

// Derived from the console secret, not stored: every instance signs with the same key and there is nothing to keep;
// rotating SOC_SECRET rotates the key, and old manifests still name the key id they were signed with.
export function deriveEvidenceKey(secret: string): EvidenceKey {
  const seed = createHmac("sha256", secret).update(SEED_LABEL).digest();
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(), publicKeyId: publicKeyIdOf(publicKey) };
}

/** The console's own key, from SOC_SECRET (or the launcher's generated secret); UNAVAILABLE when there is none. */
export function consoleEvidenceKey(): EvidenceKey {
  return deriveEvidenceKey(requireSocSecret("sign or check evidence snapshots (the signing key is derived from SOC_SECRET)"));
}

/** What people pin: the console's public key and its id. */
export function evidencePublicKey(): { algorithm: typeof SIGNATURE_ALGORITHM; public_key_pem: string; public_key_id: string } {
  const key = consoleEvidenceKey();
  return { algorithm: SIGNATURE_ALGORITHM, public_key_pem: key.publicKeyPem, public_key_id: key.publicKeyId };
}

/**
 * A pinned public key from a PEM file, as `snapshot pubkey` printed it. Text around the PEM block
 * (npm's banner when stdout was redirected, a key id line) is ignored.
 */
export function parsePublicKeyPem(text: string, source = "the public key file"): KeyObject {
  const block = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(text)?.[0];
  if (!block) throw new AppError("VALIDATION", `${source} holds no "-----BEGIN PUBLIC KEY-----" block`);
  let key: KeyObject;
  try {
    key = createPublicKey(block);
  } catch {
    throw new AppError("VALIDATION", `${source} holds a PEM block that is not a valid public key`);
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new AppError("VALIDATION", `${source} holds a ${key.asymmetricKeyType ?? "unknown"} key; evidence manifests are signed with Ed25519`);
  }
  return key;
}
