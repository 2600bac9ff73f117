import { createHash, createHmac, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import type { Jwk } from "./schemas";

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export interface ToolTokenKey {
  generation: number;
  privateKey: KeyObject;
  jwk: Jwk;
  kid: string;
}

/** RFC 7638: SHA-256 of the JWK's required members in lexical order, base64url. */
export function jwkThumbprint(x: string): string {
  return createHash("sha256").update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest("base64url");
}

// Derived from the console secret and the generation, as the evidence key is: every instance signs with
// the same key, nothing private is stored, and a rotation is a new generation.
export function deriveToolTokenKey(secret: string, generation: number): ToolTokenKey {
  const seed = createHmac("sha256", secret).update(`agentsoc tool token signing key v1 generation ${generation}`).digest();
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
  const x = createPublicKey(privateKey).export({ format: "jwk" }).x;
  if (typeof x !== "string") throw new Error("Ed25519 public key without x");
  const kid = jwkThumbprint(x);
  return { generation, privateKey, kid, jwk: { kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA", use: "sig" } };
}
