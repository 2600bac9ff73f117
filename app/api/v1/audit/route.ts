import { listAudit, parseAuditFilters } from "@/db/queries/audit";
import { respond } from "@/lib/api/operation";
import { auditApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(auditApi.list, async ({ req, ctx }) =>
  respond(auditApi.list, 200, await listAudit(ctx.db, parseAuditFilters(new URL(req.url).searchParams))),
);
