import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

// PostgreSQL's defaults for the verifiers it builds itself (scram_iterations, SCRAM_DEFAULT_SALT_LEN).
const SCRAM_ITERATIONS = 4096;
const SCRAM_SALT_BYTES = 16;

/**
 * The stored form of a password, built here as psql's \password does, so the plain password never
 * reaches the server (nor its statement log, pg_stat_statements or an error report).
 */
export function scramSha256Verifier(password: string): string {
  const salt = randomBytes(SCRAM_SALT_BYTES);
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
