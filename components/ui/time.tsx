"use client";

import { useEffect, useState } from "react";
import { formatUtc } from "@/lib/format";

/**
 * A moment, always shown in UTC (analysts compare times across tools); the reader's local time is
 * in the title, filled in after hydration because the server does not know the reader's zone.
 */
export function Time({ iso, className }: { iso: string | null; className?: string }) {
  const [local, setLocal] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (iso) setLocal(`${new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" })} (your time)`);
  }, [iso]);
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={local} className={className}>
      {formatUtc(iso)}
    </time>
  );
}
