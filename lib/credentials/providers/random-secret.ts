import { randomBytes } from "node:crypto";

/** A new credential secret: 32 random bytes as base64url (43 characters, safe in URLs, shells and config files). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Replaces every occurrence of the given secrets in a message, so a server's or driver's text can go into an error. */
export function withoutSecrets(message: string, secrets: readonly (string | null | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join("***");
  }
  return out;
}
