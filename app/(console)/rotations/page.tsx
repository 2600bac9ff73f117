import type { Metadata } from "next";
import Link from "next/link";
import { Forbidden } from "@/components/forbidden";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import { appDb } from "@/db/client";
import { listRotationRuns } from "@/db/queries/rotations";
import { roleAtLeast } from "@/lib/auth/roles";
import { incidentRef } from "@/lib/incidents/types";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Rotations" };

/** The latest credential rotation runs, each linking to its page. */
export default async function RotationsPage() {
  const me = await requireUser();
  if (!roleAtLeast(me.role, "analyst")) return <Forbidden role={me.role} need="analyst" what="see credential rotations" />;
  const runs = await listRotationRuns(appDb(), {});
  return (
    <>
      <h1>Rotations</h1>
      <p className="subtitle">The latest 50 credential rotation runs. Start one from an agent's page or an incident's runbook.</p>
      <div className="panel">
        <DataTable
          label="Rotations"
          rows={runs}
          rowKey={(r) => r.id}
          empty="No rotation has run yet."
          columns={[
            {
              header: "Run",
              primary: true,
              cell: (r) => (
                <Link className="mono" href={`/rotations/${encodeURIComponent(r.id)}`}>
                  {r.id.slice(0, 8)}
                </Link>
              ),
            },
            {
              header: "Status",
              cell: (r) => <Badge tone={r.status === "failed" ? "sev-high" : r.status === "running" ? "state-running" : "state-done"}>{r.status}</Badge>,
            },
            {
              header: "Agents",
              cell: (r) =>
                r.agent_ids.map((a, n) => (
                  <span key={a}>
                    {n > 0 && ", "}
                    <Link href={`/agents/${encodeURIComponent(a)}`}>{a}</Link>
                  </span>
                )),
            },
            {
              header: "Credentials",
              className: "num",
              cell: (r) => `${r.counts.rotated}/${r.counts.total} rotated${r.counts.failed > 0 ? `, ${r.counts.failed} failed` : ""}`,
            },
            {
              header: "Incident",
              cell: (r) =>
                r.incident_id !== null ? <Link href={`/incidents/${r.incident_id}`}>{incidentRef(r.incident_id)}</Link> : <span className="muted">none</span>,
            },
            { header: "Started (UTC)", className: "time", cell: (r) => <Time iso={r.created_at} /> },
          ]}
        />
      </div>
    </>
  );
}
