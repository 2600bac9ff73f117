import type { Metadata } from "next";
import { IncidentsList } from "@/components/incidents-list";
import { OpenIncidentForm } from "@/components/open-incident-form";
import type { IncidentFilter } from "@/components/queries";
import { roleAtLeast } from "@/lib/auth/roles";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Incidents" };

const FILTERS: readonly IncidentFilter[] = ["active", "open", "contained", "eradicated", "recovered", "closed"];

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await requireUser();
  const wanted = (await searchParams).status;
  const status = FILTERS.find((f) => f === wanted) ?? "active";
  return (
    <>
      <h1>Incidents</h1>
      <p className="subtitle">Each incident follows a runbook: its page is the checklist responders work through together, newest first here.</p>
      {roleAtLeast(me.role, "responder") && (
        <div className="stack">
          <OpenIncidentForm />
        </div>
      )}
      <IncidentsList role={me.role} initialStatus={status} />
    </>
  );
}
