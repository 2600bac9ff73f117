import type { ReactNode } from "react";
import { ConsoleNav } from "@/components/console-nav";
import { RedisBanner } from "@/components/kill-switch-controls";
import { KillSwitchLiveUpdates } from "@/components/use-kill-switches";
import { appDb } from "@/db/client";
import { checkDatabaseRole } from "@/lib/audit";
import { requireUser } from "./require-user";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const databaseWarning = await checkDatabaseRole(appDb()).catch(() => null);
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="/">
          Agent<span>SOC</span>
        </a>
        <ConsoleNav email={user.email} role={user.role} />
      </header>
      <main className="content">
        <KillSwitchLiveUpdates />
        <RedisBanner />
        {databaseWarning && (
          <div className="banner-danger" role="alert">
            {databaseWarning}
          </div>
        )}
        {children}
      </main>
    </div>
  );
}
