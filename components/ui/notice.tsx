import type { ReactNode } from "react";

/** A message in the page: `error` is announced at once (role=alert), the others politely (role=status). */
export function Notice({ kind = "info", children }: { kind?: "info" | "error"; children: ReactNode }) {
  if (children === null || children === undefined || children === false || children === "") return null;
  return kind === "error" ? (
    <div className="error-box" role="alert">
      {children}
    </div>
  ) : (
    <div className="notice" role="status">
      {children}
    </div>
  );
}
