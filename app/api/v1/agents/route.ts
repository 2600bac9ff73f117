import { appDb } from "@/db/client";
import { listAgents } from "@/db/queries/agents";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  return handle(req, async () => json({ agents: await listAgents(appDb()) }));
}
