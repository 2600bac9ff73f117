import { createHmac } from "node:crypto";
import { AppError } from "@/lib/errors";
import { openSealed, requireSocSecret, sealText } from "@/lib/notify/seal";

const PURPOSE = "agentsoc:credential:secret";

/** A credential secret as stored: AES-256-GCM under a key derived from SOC_SECRET for this purpose alone. */
export function sealCredentialSecret(plain: string): string {
  return sealText(plain, requireSocSecret("store a credential secret"), PURPOSE);
}

/** The stored secret; an error (never the sealed text) when SOC_SECRET changed since it was sealed. */
export function openCredentialSecret(sealed: string, what: string): string {
  const plain = openSealed(sealed, requireSocSecret("read a credential secret"), PURPOSE);
  if (plain === null) {
    throw new AppError("UNAVAILABLE", `The stored secret of ${what} cannot be opened: SOC_SECRET is not the one it was sealed with`);
  }
  return plain;
}

/**
 * The HMAC key the console signs a webhook credential's calls with: derived from SOC_SECRET and the
 * credential's id, so it is never stored; the endpoint verifies with its hex text.
 */
export function webhookSigningKey(credentialId: string): Buffer {
  return createHmac("sha256", requireSocSecret("sign credential webhook calls")).update(`agentsoc:credential-webhook:${credentialId}`).digest();
}
