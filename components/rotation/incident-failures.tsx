"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import type { RotationRunView } from "@/lib/rotation/views";
import { incidentQueries, rotationQueries } from "../queries";
import { STEP_LABEL } from "./labels";
import { ResolveFailure } from "./resolve-failure";

/**
 * The top of an incident's page while any credential of it (from its runs, or any run over its agents)
 * failed to rotate and nobody has dealt with it yet: the old secret may still work. Each links to its
 * run and can be resolved from here.
 */
export function RotationFailuresBanner({ incidentId, role }: { incidentId: number; role: Role }) {
  const client = useQueryClient();
  const query = useQuery({
    ...rotationQueries.incidentFailures(incidentId),
    enabled: roleAtLeast(role, "analyst"),
    refetchInterval: 2_000,
  });
  const failures = query.data ?? [];
  if (failures.length === 0) return null;

  const resolved = (run: RotationRunView) => client.setQueryData(rotationQueries.detail(run.id).queryKey, run);
  const invalidate = [rotationQueries.all, incidentQueries.detail(incidentId).queryKey];

  return (
    <section className="banner-danger" aria-label="Failed credential rotations" data-testid="rotation-failures">
      <div role="alert">
        {failures.length} credential{failures.length === 1 ? "" : "s"} of this incident could not be rotated: the old secret may still work. Rotate by hand,
        then resolve with a note.
      </div>
      <ul className="output-list">
        {failures.map((item) => (
          <li key={item.id}>
            “{item.credential_name}” ({item.kind_label}, <span className="mono">{item.agent_id}</span>) failed at {STEP_LABEL[item.step]}
            {item.last_error && <>: {item.last_error}</>} · <Link href={`/rotations/${item.rotation_id}`}>rotation run</Link>{" "}
            {roleAtLeast(role, "responder") && <ResolveFailure runId={item.rotation_id} item={item} invalidate={invalidate} onResolved={resolved} />}
          </li>
        ))}
      </ul>
    </section>
  );
}
