import type { Queryable } from "@/db/client";
import { loadDetectionProfile } from "@/db/queries/detection";
import type { DetectionProfile } from "./record-findings";

/**
 * Baselines and canaries are read once per agent every few seconds rather than once per batch:
 * a round trip fewer inside every ingest. A change made on this instance is seen at once; one made
 * on another instance within CACHE_MS (a canary there meanwhile still counts as an unregistered marker).
 */
const CACHE_MS = 5_000;
const cache = new Map<string, { at: number; profile: DetectionProfile }>();

export async function detectionProfile(db: Queryable, agentId: string): Promise<DetectionProfile> {
  const hit = cache.get(agentId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.profile;
  const profile = await loadDetectionProfile(db, agentId);
  cache.set(agentId, { at: Date.now(), profile });
  return profile;
}

export function forgetDetectionProfile(agentId: string): void {
  cache.delete(agentId);
}
