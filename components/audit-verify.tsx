"use client";

import { useMutation } from "@tanstack/react-query";
import { callApi } from "./api-client";
import { Button } from "./ui/button";

interface Report {
  intact: boolean;
  rows_checked: number;
  problem: { id: number; message: string } | null;
}

/** Re-reads the whole audit chain on the server and says whether every row still hashes to the next. */
export function AuditVerify() {
  const verify = useMutation<Report, Error>({
    mutationFn: async () => {
      const r = await callApi<Report>("GET", "/api/v1/audit/verify");
      if (!r.ok) throw new Error(r.error);
      return r.data;
    },
  });
  const report = verify.data;
  const broken = report !== undefined && !report.intact;
  const said = verify.isPending
    ? "Verifying…"
    : verify.error
      ? verify.error.message
      : report
        ? report.intact
          ? `Chain intact: ${report.rows_checked} rows checked`
          : `Chain BROKEN at row ${report.problem?.id}: ${report.problem?.message}`
        : null;
  return (
    <div className="toolbar">
      <Button onClick={() => verify.mutate()} busy={verify.isPending}>
        Verify chain
      </Button>
      {said && (
        <span role="status" className={broken || verify.error ? "error-box" : undefined}>
          {said}
        </span>
      )}
    </div>
  );
}
