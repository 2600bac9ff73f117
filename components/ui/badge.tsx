import type { ReactNode } from "react";
import type { Severity as SeverityLevel } from "@/lib/detect/types";

/** A small label; `tone` is one of the badge classes of globals.css (sev-high, status-open, killed, …). */
export function Badge({ tone, children, title }: { tone?: string; children: ReactNode; title?: string }) {
  return (
    <span className={tone ? `badge ${tone}` : "badge"} title={title}>
      {children}
    </span>
  );
}

export function Severity({ level }: { level: SeverityLevel }) {
  return <Badge tone={`sev-${level}`}>{level}</Badge>;
}
