import { appDb } from "@/db/client";
import { listEvents, parseEventFilters } from "@/db/queries/events";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  return handle(req, async () => {
    const filters = parseEventFilters(new URL(req.url).searchParams);
    return json(await listEvents(appDb(), filters));
  });
}
