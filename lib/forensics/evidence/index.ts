export { canonicalJson } from "./canonical-json";
export { attachmentHeaders, downloadSnapshot, snapshotFilename, type SnapshotDownload, type SnapshotFile } from "./download-snapshot";
export { MANIFEST_FORMAT, manifestFile, type EvidenceManifest, type TakenBy } from "./manifest";
export { snapshotIdSchema, snapshotListQuery, snapshotSessionIdSchema, takeSnapshotBody } from "./schemas";
export { consoleEvidenceKey, deriveEvidenceKey, evidencePublicKey, parsePublicKeyPem, publicKeyIdOf, SIGNATURE_ALGORITHM, type EvidenceKey } from "./signing-key";
export { SNAPSHOTS_PER_MINUTE, takeSnapshotQuota } from "./snapshot-quota";
export { SNAPSHOT_MAX_BYTES, SNAPSHOT_MAX_EVENTS, takeSnapshot, type TakenSnapshot } from "./take-snapshot";
export { verifySnapshot, type VerifyFailure, type VerifyResult } from "./verify-snapshot";
