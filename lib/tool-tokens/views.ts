import type { Db } from "@/db/client";
import { signingKeys } from "./keys";
import type { Jwk } from "./schemas";

/** The JWKS: every key a verifier may still meet, the current one first. */
export async function publishedJwks(db: Db): Promise<{ keys: Jwk[] }> {
  const { published } = await signingKeys(db);
  return { keys: published.map((p) => p.key.jwk) };
}

export async function signingKeysView(db: Db) {
  const { current, published } = await signingKeys(db);
  return {
    current: { generation: current.generation, kid: current.kid },
    published: published.map((p) => ({ generation: p.key.generation, kid: p.key.kid, retired_at: p.retiredAt?.toISOString() ?? null })),
  };
}
