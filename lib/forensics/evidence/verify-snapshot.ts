import { createHash, type KeyObject, verify } from "node:crypto";
import { type EvidenceManifest, manifestFile, manifestSchema, signedBytes } from "./manifest";
import { publicKeyIdOf } from "./signing-key";

export type VerifyFailure = "malformed" | "wrong_key" | "bad_signature" | "manifest_altered" | "hash_mismatch";

export type VerifyResult = { ok: true; manifest: EvidenceManifest; publicKeyId: string } | { ok: false; failure: VerifyFailure; reason: string };

const fail = (failure: VerifyFailure, reason: string): VerifyResult => ({ ok: false, failure, reason });

/**
 * Checks a snapshot offline: the manifest is well formed, signed by `publicKey`, byte for byte the file
 * that was signed, and names the NDJSON's exact length and SHA-256. Any one changed byte fails.
 */
export function verifySnapshot(input: { ndjson: Uint8Array; manifest: Uint8Array | string; publicKey: KeyObject }): VerifyResult {
  let text: string;
  try {
    // ignoreBOM keeps a leading byte-order mark in the text, so the byte-for-byte check below sees it.
    text = typeof input.manifest === "string" ? input.manifest : new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(input.manifest);
  } catch {
    return fail("malformed", "malformed manifest: not UTF-8 text");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail("malformed", "malformed manifest: not valid JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("malformed", "malformed manifest: not a JSON object");
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(manifest)"}: ${i.message}`).join("; ");
    return fail("malformed", `malformed manifest: ${problems}`);
  }
  const manifest = parsed.data as unknown as EvidenceManifest;
  const fields = raw as Record<string, unknown>;

  const keyId = publicKeyIdOf(input.publicKey);
  if (manifest.public_key_id !== keyId) {
    return fail("wrong_key", `wrong key: the manifest was signed by ${manifest.public_key_id}, not by the key given (${keyId})`);
  }
  const signature = Buffer.from(manifest.signature, "base64");
  // Base64 has spellings that decode to the same bytes (unused low bits before the padding): only the canonical one is the signed file.
  if (signature.toString("base64") !== manifest.signature) {
    return fail("bad_signature", "bad signature: the signature is not written as it was signed (the manifest was altered)");
  }
  let signatureValid = false;
  try {
    signatureValid = signature.length === 64 && verify(null, signedBytes(fields), input.publicKey, signature);
  } catch {
    signatureValid = false;
  }
  if (!signatureValid) return fail("bad_signature", "bad signature: the manifest's fields are not the ones that were signed (the manifest was altered)");
  if (manifestFile(fields) !== text) {
    return fail("manifest_altered", "manifest altered: its fields are signed, but the file is not byte for byte the one served (whitespace or layout changed)");
  }

  if (input.ndjson.byteLength !== manifest.ndjson_bytes) {
    return fail("hash_mismatch", `hash mismatch: the NDJSON is ${input.ndjson.byteLength} bytes, the manifest says ${manifest.ndjson_bytes}`);
  }
  const sha256 = createHash("sha256").update(input.ndjson).digest("hex");
  if (sha256 !== manifest.ndjson_sha256) {
    return fail("hash_mismatch", `hash mismatch: the NDJSON's SHA-256 is ${sha256}, the manifest says ${manifest.ndjson_sha256}`);
  }
  return { ok: true, manifest, publicKeyId: keyId };
}
