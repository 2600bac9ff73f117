import Link from "next/link";
import { formatUtc } from "@/lib/format";
import { incidentRef } from "@/lib/incidents/types";
import type { RotationRunView } from "@/lib/rotation/views";
import { RUN_STATUS_CLASS } from "../rotation/labels";
import { Badge } from "../ui/badge";

/** The agent's last ten rotation runs, each linking to its page. */
export function RecentRotations({ runs }: { runs: RotationRunView[] }) {
  return (
    <>
      <h3>Recent rotations</h3>
      <div className="panel">
        {runs.length === 0 ? (
          <p className="empty">No rotation yet.</p>
        ) : (
          <table aria-label="Recent rotations">
            <thead>
              <tr>
                <th scope="col">Started (UTC)</th>
                <th scope="col">Status</th>
                <th scope="col">Credentials</th>
                <th scope="col">Requested by</th>
                <th scope="col">Incident</th>
              </tr>
            </thead>
            <tbody>
              {runs.slice(0, 10).map((r) => (
                <tr key={r.id}>
                  <td className="time">
                    <Link href={`/rotations/${encodeURIComponent(r.id)}`}>{formatUtc(r.created_at)}</Link>
                  </td>
                  <td>
                    <Badge tone={RUN_STATUS_CLASS[r.status]}>{r.status}</Badge>
                  </td>
                  <td>
                    {r.counts.rotated} of {r.counts.total} rotated
                    {r.counts.failed > 0 && `, ${r.counts.failed} failed`}
                    {r.counts.unresolved_failures > 0 && (
                      <span className="badge state-failed" style={{ marginLeft: 6 }}>
                        {r.counts.unresolved_failures} unresolved
                      </span>
                    )}
                  </td>
                  <td className="mono">{r.requested_by}</td>
                  <td>
                    {r.incident_id !== null ? (
                      <Link href={`/incidents/${r.incident_id}`}>{incidentRef(r.incident_id)}</Link>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
