import { respond } from "@/lib/api/operation";
import { evidenceApi } from "@/lib/api/operations";
import { evidencePublicKey } from "@/lib/forensics/evidence";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** The key evidence manifests are signed with, so people can pin it and verify snapshots offline. */
export const GET = authedRoute(evidenceApi.publicKey, async () => respond(evidenceApi.publicKey, 200, evidencePublicKey()));
