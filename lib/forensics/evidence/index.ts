export { canonicalJson } from "./canonical-json";
export { attachmentHeaders, downloadSnapshot, type SnapshotDownload, type SnapshotFile, snapshotFilename } from "./download-snapshot";
export { type EvidenceManifest, MANIFEST_FORMAT, manifestFile, type TakenBy } from "./manifest";
export { snapshotIdSchema, snapshotListQuery, snapshotSessionIdSchema, takeSnapshotBody } from "./schemas";
export {
  consoleEvidenceKey,
  deriveEvidenceKey,
  type EvidenceKey,
  evidencePublicKey,
  parsePublicKeyPem,
  publicKeyIdOf,
  SIGNATURE_ALGORITHM,
} from "./signing-key";
export { SNAPSHOTS_PER_MINUTE, takeSnapshotQuota } from "./snapshot-quota";
export { SNAPSHOT_MAX_BYTES, SNAPSHOT_MAX_EVENTS, type TakenSnapshot, takeSnapshot } from "./take-snapshot";
export { type VerifyFailure, type VerifyResult, verifySnapshot } from "./verify-snapshot";
