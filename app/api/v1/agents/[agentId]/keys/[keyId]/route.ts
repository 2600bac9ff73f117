import { revokeIngestKey } from "@/lib/agents";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ agentId: string; keyId: string }>("admin", async ({ req, ctx, params }) => {
  const body = await readJson(req);
  return json(await revokeIngestKey({ ctx, input: { agentId: params.agentId, keyId: params.keyId, reason: reasonOf(body) } }));
});
