import type { ReactNode } from "react";
import { ConsoleNav } from "@/components/console-nav";

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="/agents">
          Agent<span>SOC</span>
        </a>
        <ConsoleNav />
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
