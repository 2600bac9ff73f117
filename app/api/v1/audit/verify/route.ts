import { respond } from "@/lib/api/operation";
import { auditApi } from "@/lib/api/operations";
import { verifyAuditChain } from "@/lib/audit";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(auditApi.verify, async ({ ctx }) => {
  const report = await verifyAuditChain(ctx.db);
  return respond(auditApi.verify, 200, { intact: report.problem === null, rows_checked: report.rowsChecked, problem: report.problem });
});
