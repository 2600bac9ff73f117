import { createHmac, sign } from "node:crypto";
import type { ToolTokenKey } from "./signing-key";

export interface ToolTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  tools: string[];
  permissions: string[];
  tool_permissions: Record<string, string[]>;
  nonce: string;
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A compact JWS signed with Ed25519 (RFC 8037), naming its key by thumbprint. */
export function signEdDsa(claims: ToolTokenClaims, key: ToolTokenKey): string {
  const input = `${part({ alg: "EdDSA", typ: "JWT", kid: key.kid })}.${part(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), key.privateKey).toString("base64url")}`;
}

/** The guide's form: HS256 with a secret the tools share. */
export function signHs256(claims: ToolTokenClaims, secret: string): string {
  const input = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}
