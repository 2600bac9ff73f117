import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { socSecret } from "@/lib/env";
import { AppError } from "@/lib/errors";

/** What a sealed value is for; each purpose has its own key, so one kind of sealed text cannot be opened as another. */
export type SealPurpose = "agentsoc:notify:url" | "agentsoc:credential:secret" | "agentsoc:auth:totp";
const NOTIFY_URL: SealPurpose = "agentsoc:notify:url";
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

function sealingKey(secret: string, purpose: SealPurpose): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), purpose, 32));
}

/** SOC_SECRET, or an UNAVAILABLE error that says how to configure it. */
export function requireSocSecret(what: string): string {
  const secret = socSecret();
  if (!secret) throw new AppError("UNAVAILABLE", `Cannot ${what}: set SOC_SECRET (at least 16 characters) and restart the console`);
  return secret;
}

/** AES-256-GCM under a key derived from SOC_SECRET: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
export function sealText(plain: string, secret: string, purpose: SealPurpose = NOTIFY_URL): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(secret, purpose), iv, { authTagLength: TAG_BYTES });
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

/** The sealed text, or null when it was sealed under another secret, altered, or is not a sealed value at all. */
export function openSealed(sealed: string, secret: string, purpose: SealPurpose = NOTIFY_URL): string | null {
  const [version, iv, tag, body, ...rest] = sealed.split(".");
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined || rest.length > 0) return null;
  const ivBytes = Buffer.from(iv, "base64url");
  const tagBytes = Buffer.from(tag, "base64url");
  // A short tag would be checked as short: only the full 16 bytes count.
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey(secret, purpose), ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
