import type { EvidenceManifest } from "./manifest";

export interface SnapshotLinks {
  ndjson: string;
  manifest: string;
}

/** A snapshot as listed: its signed manifest (as served) and where to download both files. */
export type SnapshotView = EvidenceManifest & { links: SnapshotLinks };
