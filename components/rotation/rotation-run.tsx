"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/format";
import { incidentRef } from "@/lib/incidents/types";
import type { RevealedSecret, RotationRunView } from "@/lib/rotation/views";
import { rotationQueries } from "../queries";
import { Notice } from "../ui/notice";
import { ItemRow } from "./item-row";
import { RUN_STATUS_CLASS, unresolved } from "./labels";
import { RevealedSecrets } from "./reveal-once";

/**
 * One rotation run as it goes: each credential's step, state, attempts and last error, polled every
 * second while the run is going. A responder reveals each new secret once and resolves failures by hand.
 */
export function RotationRun({ initial, role }: { initial: RotationRunView; role: Role }) {
  const client = useQueryClient();
  const query = useQuery({
    ...rotationQueries.detail(initial.id),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.status === "running" ? 1_000 : false),
  });
  const run = query.data;
  const responds = roleAtLeast(role, "responder");
  const [revealed, setRevealed] = useState<RevealedSecret[]>([]);

  function resolved(next: RotationRunView) {
    client.setQueryData(rotationQueries.detail(next.id).queryKey, next);
  }

  const failures = run.items.filter(unresolved);
  return (
    <>
      <p className="incident-back">
        {run.incident_id !== null ? (
          <Link href={`/incidents/${run.incident_id}`}>← {incidentRef(run.incident_id)}</Link>
        ) : (
          <AgentLinks agentIds={run.agent_ids} back />
        )}
      </p>
      <h1>
        Credential rotation <span className="mono incident-ref">{run.id}</span>
      </h1>
      <p className="subtitle">
        {run.counts.rotated} of {run.counts.total} rotated
        {run.counts.failed > 0 && `, ${run.counts.failed} failed`}
        {run.status === "running" && (
          <>
            {" "}
            <span className="live" aria-live="off">
              live
            </span>
          </>
        )}
      </p>
      {query.isError && (
        <Notice>
          This page could not refresh ({query.error.message}). It shows the run as it was at {formatUtc(new Date(query.dataUpdatedAt).toISOString())}.
        </Notice>
      )}
      {failures.length > 0 && (
        <div className="banner-danger" role="alert">
          {failures.length} credential{failures.length === 1 ? "" : "s"} could not be rotated: the old secret may still work. Rotate{" "}
          {failures.length === 1 ? "it" : "them"} by hand, then resolve {failures.length === 1 ? "it" : "each"} below with a note.
        </div>
      )}
      <dl className="panel incident-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`badge ${RUN_STATUS_CLASS[run.status]}`} data-testid="rotation-status">
              {run.status}
            </span>
            {run.finished_at && <span className="muted">finished at {formatUtc(run.finished_at)}</span>}
          </dd>
        </div>
        <div>
          <dt>Requested</dt>
          <dd>
            by {run.requested_by} at {formatUtc(run.created_at)}
          </dd>
        </div>
        <div>
          <dt>Agents</dt>
          <dd>
            <AgentLinks agentIds={run.agent_ids} />
          </dd>
        </div>
        <div>
          <dt>Incident</dt>
          <dd>
            {run.incident_id !== null ? (
              <Link href={`/incidents/${run.incident_id}`}>{incidentRef(run.incident_id)}</Link>
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
        </div>
      </dl>
      <RevealedSecrets secrets={revealed} />
      <div className="panel">
        <table aria-label="Credentials in this rotation">
          <thead>
            <tr>
              <th scope="col">Credential</th>
              <th scope="col">Where</th>
              <th scope="col">Steps</th>
              <th scope="col">State</th>
              <th scope="col">Last error</th>
              <th scope="col">New secret</th>
              <th scope="col">Failure</th>
            </tr>
          </thead>
          <tbody>
            {run.items.map((item) => (
              <ItemRow
                key={item.id}
                runId={run.id}
                item={item}
                responds={responds}
                onRevealed={(secret) => setRevealed((shown) => [...shown, secret])}
                onResolved={resolved}
              />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function AgentLinks({ agentIds, back }: { agentIds: string[]; back?: boolean }) {
  return (
    <span className="mono">
      {agentIds.map((a, n) => (
        <span key={a}>
          {n > 0 && ", "}
          <Link href={`/agents/${encodeURIComponent(a)}`}>
            {back && "← "}
            {a}
          </Link>
        </span>
      ))}
    </span>
  );
}
