"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import type { CredentialView } from "@/lib/credentials/views";
import type { RotationRunView, StartedRotation } from "@/lib/rotation/views";
import { credentialQueries, rotationQueries } from "../queries";
import { ShownOnce } from "../shown-once";
import { ConfirmButton } from "../ui/dialog";
import { Notice } from "../ui/notice";
import { useAction } from "../ui/use-action";
import type { Created } from "./credential-body";
import { CredentialForm } from "./credential-form";
import { CredentialRow, type StartRotation } from "./credential-row";
import { RecentRotations } from "./recent-rotations";

/**
 * An agent's credential inventory: what it holds, where, when each was last rotated, and (for its
 * ingest key) whether anyone still calls with a revoked key. Responders rotate from here; admins keep
 * the inventory. Kept live: faster while a rotation is going.
 */
export function CredentialsPanel({
  agentId,
  role,
  initialCredentials,
  initialRotations,
}: {
  agentId: string;
  role: Role;
  initialCredentials: CredentialView[];
  initialRotations: RotationRunView[];
}) {
  const router = useRouter();
  const credentials = useQuery({
    ...credentialQueries.ofAgent(agentId),
    initialData: initialCredentials,
    refetchInterval: (q) => (q.state.data?.some((c) => c.rotation_state === "rotating") ? 2_000 : 10_000),
  });
  const rotations = useQuery({
    ...rotationQueries.ofAgent(agentId),
    initialData: initialRotations,
    refetchInterval: (q) => (q.state.data?.some((r) => r.status === "running") ? 2_000 : 10_000),
  });
  const rotate = useAction<StartRotation, StartedRotation>({
    method: "POST",
    url: "/api/v1/rotations",
    invalidate: [credentialQueries.ofAgent(agentId).queryKey, rotationQueries.all],
    onDone: (started) => router.push(`/rotations/${encodeURIComponent(started.id)}`),
  });
  const [editing, setEditing] = useState<CredentialView | null>(null);
  const [shown, setShown] = useState<Created>(null);
  const responds = roleAtLeast(role, "responder");
  const admin = roleAtLeast(role, "admin");
  const list = credentials.data;

  return (
    <>
      {credentials.isError && <Notice kind="error">The inventory could not refresh: {credentials.error.message}</Notice>}
      {shown && <ShownOnce {...shown} />}
      <div className="panel">
        {responds && list.length > 0 && (
          <div className="form-row">
            <ConfirmButton
              title="Rotate credentials?"
              message={`Rotate all ${list.length} credential${list.length === 1 ? "" : "s"} of ${agentId}? Each old secret stops working, and the agent needs the new ones; its ingest key too, so it cannot send logs until it has the new key.`}
              confirmLabel="Rotate"
              danger
              onConfirm={() => rotate.run({ agent_id: agentId })}
            >
              Rotate all credentials
            </ConfirmButton>
            <span className="muted">Each old secret is revoked first, then a new one is made, put in place and checked.</span>
          </div>
        )}
        {list.length === 0 ? (
          <p className="empty">No credentials in the inventory.</p>
        ) : (
          <table aria-label="Credentials">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Provider</th>
                <th scope="col">Where</th>
                <th scope="col">Last rotated</th>
                <th scope="col">Rotation</th>
                {(responds || admin) && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <CredentialRow
                  key={c.id}
                  credential={c}
                  agentId={agentId}
                  responds={responds}
                  admin={admin}
                  rotate={rotate.run}
                  onEdit={() => setEditing(c)}
                  onRemoved={() => setEditing((e) => (e?.id === c.id ? null : e))}
                />
              ))}
            </tbody>
          </table>
        )}
        {admin && (
          <CredentialForm
            key={editing?.id ?? "new"}
            agentId={agentId}
            editing={editing}
            onDone={(created) => {
              setEditing(null);
              if (created) setShown(created);
            }}
            onCancel={() => setEditing(null)}
          />
        )}
      </div>
      <RecentRotations runs={rotations.data} />
    </>
  );
}
