import type { CredentialView } from "@/lib/credentials/views";
import { formatUtc } from "@/lib/format";

/** For an ingest key: requests refused for carrying one of the agent's revoked keys (none should come). */
export function RevokedKeyUse({ use }: { use: NonNullable<CredentialView["revoked_key_use"]> }) {
  if (use.attempts === 0) return <div className="muted">No request came with a revoked key.</div>;
  return (
    <div className="step-error" role="note" data-testid="revoked-key-use">
      {use.attempts} refused request{use.attempts === 1 ? "" : "s"} with a revoked key{use.last_at && `, last at ${formatUtc(use.last_at)}`}. Something still
      uses an old key.
    </div>
  );
}
