"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { TakenSnapshot } from "@/lib/forensics/evidence/take-snapshot";
import type { SnapshotView } from "@/lib/forensics/evidence/views";
import { formatCount, formatUtc } from "@/lib/format";
import { sessionQueries } from "./queries";
import { ProblemBox } from "./shown-once";
import { Button } from "./ui/button";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

type TakenBy = SnapshotView["taken_by"];

function who(by: TakenBy): string {
  switch (by.type) {
    case "user":
      return by.email;
    case "api_token":
      return `token ${by.name}`;
    default:
      return `${by.type}:${by.id}`;
  }
}

/**
 * Signed evidence snapshots of one agent's part of a session: who froze it when, what it holds, and the two
 * files to download. Analysts and above may freeze it again; each snapshot is kept as it was taken.
 */
export function SessionSnapshots({ sessionId, agentId, canTake }: { sessionId: string; agentId: string; canTake: boolean }) {
  const snapshotsQuery = sessionQueries.snapshots(sessionId, agentId);
  const query = useQuery(snapshotsQuery);
  const [unchanged, setUnchanged] = useState<TakenSnapshot | null>(null);
  const freeze = useAction<{ agent_id: string }, TakenSnapshot>({
    method: "POST",
    url: `/api/v1/sessions/${encodeURIComponent(sessionId)}/snapshot`,
    invalidate: [snapshotsQuery.queryKey],
    onDone: (taken) => setUnchanged(taken.existing ? taken : null),
  });

  const snapshots = query.data;
  return (
    <section className="panel stack" aria-labelledby="snapshots-title">
      <h2 id="snapshots-title" style={{ margin: "12px 16px", fontSize: 15 }}>
        Evidence snapshots
      </h2>
      {query.isError ? (
        <ProblemBox problem={`Snapshots could not be loaded: ${query.error.message}`} />
      ) : !snapshots ? (
        <p className="empty">Loading…</p>
      ) : snapshots.length === 0 ? (
        <p className="empty">No snapshot yet. Freezing the session keeps its events, findings and alerts as a signed file that verifies offline.</p>
      ) : (
        <table aria-label="Evidence snapshots">
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">By</th>
              <th scope="col">Events</th>
              <th scope="col">Findings</th>
              <th scope="col">Alerts</th>
              <th scope="col">SHA-256</th>
              <th scope="col">Download</th>
            </tr>
          </thead>
          <tbody>
            {snapshots.map((s) => (
              <tr key={s.snapshot_id}>
                <td className="time">{formatUtc(s.taken_at)}</td>
                <td>{who(s.taken_by)}</td>
                <td>{formatCount(s.event_count)}</td>
                <td>{formatCount(s.finding_count)}</td>
                <td>{formatCount(s.alert_count)}</td>
                <td className="mono" title={s.ndjson_sha256}>
                  {s.ndjson_sha256.slice(0, 12)}…
                </td>
                <td>
                  <a href={s.links.ndjson} download aria-label={`Download the NDJSON of snapshot ${s.snapshot_id}`}>
                    NDJSON
                  </a>{" "}
                  ·{" "}
                  <a href={s.links.manifest} download aria-label={`Download the signed manifest of snapshot ${s.snapshot_id}`}>
                    manifest
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canTake && (
        <div className="actions" style={{ margin: "12px 16px" }}>
          <Button variant="primary" onClick={() => void freeze.run({ agent_id: agentId })} busy={freeze.busy} busyLabel="Freezing…">
            Freeze evidence
          </Button>
          <span className="muted"> Verify a download offline with npm run soc -- snapshot verify &lt;file.ndjson&gt; &lt;manifest.json&gt;</span>
        </div>
      )}
      {unchanged && (
        <p className="notice" role="status" style={{ margin: "12px 16px" }}>
          Nothing changed since the snapshot taken {formatUtc(unchanged.taken_at)} by {who(unchanged.taken_by)} (SHA-256 {unchanged.ndjson_sha256.slice(0, 12)}
          …): that snapshot is the evidence, and no copy was stored.
        </p>
      )}
      <Notice kind="error">{freeze.error}</Notice>
    </section>
  );
}
