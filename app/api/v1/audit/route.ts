import { listAudit, parseAuditFilters } from "@/db/queries/audit";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = authedRoute("analyst", async ({ req, ctx }) => json(await listAudit(ctx.db, parseAuditFilters(new URL(req.url).searchParams))));
