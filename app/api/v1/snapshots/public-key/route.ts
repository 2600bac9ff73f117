import { evidencePublicKey } from "@/lib/forensics/evidence";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The key evidence manifests are signed with, so people can pin it and verify snapshots offline. */
export const GET = authedRoute("viewer", async () => json(evidencePublicKey()));
