import type { Metadata } from "next";
import { RunbooksAdmin } from "@/components/runbooks-admin";
import { roleAtLeast } from "@/lib/auth/roles";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Runbooks" };

export default async function RunbooksPage() {
  const me = await requireUser();
  return (
    <>
      <h1>Runbooks</h1>
      <p className="subtitle">
        What an incident follows, step by step. An incident keeps the version it was opened with; uploading a runbook with the same name adds a new version for
        the incidents opened after it.
      </p>
      <RunbooksAdmin canUpload={roleAtLeast(me.role, "admin")} />
    </>
  );
}
