import { verifyAuditChain } from "@/lib/audit";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = authedRoute("admin", async ({ ctx }) => {
  const report = await verifyAuditChain(ctx.db);
  return json({ intact: report.problem === null, rows_checked: report.rowsChecked, problem: report.problem });
});
