export { canonicalJson } from "./canonical-json";
export { attachmentHeaders, downloadSnapshot, snapshotFilename, type SnapshotDownload, type SnapshotFile } from "./download-snapshot";
export { MANIFEST_FORMAT, manifestFile, type EvidenceManifest, type TakenBy } from "./manifest";
export { snapshotIdSchema, snapshotListQuery, snapshotSessionIdSchema, takeSnapshotBody } from "./schemas";
export { consoleEvidenceKey, deriveEvidenceKey, evidencePublicKey, parsePublicKeyPem, publicKeyIdOf, SIGNATURE_ALGORITHM, type EvidenceKey } from "./signing-key";
export { SNAPSHOT_MAX_EVENTS, takeSnapshot } from "./take-snapshot";
export { verifySnapshot, type VerifyFailure, type VerifyResult } from "./verify-snapshot";
