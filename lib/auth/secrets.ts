import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";

/** Opaque bearer secrets: 256 bits of randomness behind a prefix that says what they are. */
export function generateSecret(prefix: string): { secret: string; hash: string; displayPrefix: string } {
  const secret = `${prefix}${randomBytes(32).toString("base64url")}`;
  return { secret, hash: hashSecret(secret), displayPrefix: secret.slice(0, prefix.length + 6) };
}

/** High-entropy secrets need no slow hash: SHA-256 keeps them unreadable at rest and lookups one index probe. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

// scrypt at N=2^15, r=8: 32 MiB and ~60 ms per hash here, the OWASP-recommended floor for scrypt.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 };

function scryptAsync(password: string, salt: Buffer, params: { N: number; r: number; p: number; keyLength: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, params.keyLength, { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64url");
  const actual = await scryptAsync(password, Buffer.from(salt, "base64url"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    keyLength: expected.length,
  });
  return timingSafeEqual(actual, expected);
}

/** A hash to compare against when the account does not exist, so a miss takes as long as a wrong password. */
let decoyHash: Promise<string> | null = null;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return decoyHash;
}

/** A one-time password people can type: 20 characters from an alphabet without look-alikes (~100 bits). */
export function generateOneTimePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY345679";
  let out = "";
  for (let i = 0; i < 20; i++) out += alphabet[randomInt(alphabet.length)];
  return out.replace(/(.{5})(?=.)/g, "$1-");
}
