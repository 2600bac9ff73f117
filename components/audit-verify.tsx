"use client";

import { useState } from "react";
import { callApi } from "./api-client";

interface Report {
  intact: boolean;
  rows_checked: number;
  problem: { id: number; message: string } | null;
}

export function AuditVerify() {
  const [result, setResult] = useState<string | null>(null);
  const [broken, setBroken] = useState(false);
  async function verify() {
    setResult("Verifying…");
    const r = await callApi<Report>("GET", "/api/v1/audit/verify");
    if (!r.ok) return setResult(r.error);
    setBroken(!r.data.intact);
    setResult(r.data.intact ? `Chain intact: ${r.data.rows_checked} rows checked` : `Chain BROKEN at row ${r.data.problem?.id}: ${r.data.problem?.message}`);
  }
  return (
    <div className="toolbar">
      <button type="button" onClick={() => void verify()}>
        Verify chain
      </button>
      {result && (
        <span role="status" className={broken ? "error-box" : undefined}>
          {result}
        </span>
      )}
    </div>
  );
}
