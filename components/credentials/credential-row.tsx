"use client";

import Link from "next/link";
import type { z } from "zod";
import type { retireCredentialInput } from "@/lib/credentials/schemas";
import type { CredentialView } from "@/lib/credentials/views";
import { formatUtc } from "@/lib/format";
import type { startRotationInput } from "@/lib/rotation/schemas";
import { credentialQueries, rotationQueries } from "../queries";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmButton } from "../ui/dialog";
import { useAction } from "../ui/use-action";
import { RevokedKeyUse } from "./revoked-key-use";

export type StartRotation = z.input<typeof startRotationInput>;

const ROTATION_STATE: Record<CredentialView["rotation_state"], { label: string; look: string }> = {
  never_rotated: { label: "never rotated", look: "state-pending" },
  rotating: { label: "rotating", look: "state-running" },
  rotated: { label: "rotated", look: "state-done" },
  failed: { label: "rotation failed", look: "state-failed" },
};

/** One credential of the inventory, with what the reader's role may do to it. */
export function CredentialRow({
  credential: c,
  agentId,
  responds,
  admin,
  rotate,
  onEdit,
  onRemoved,
}: {
  credential: CredentialView;
  agentId: string;
  responds: boolean;
  admin: boolean;
  rotate: (body: StartRotation) => Promise<string | null>;
  onEdit: () => void;
  onRemoved: () => void;
}) {
  const remove = useAction<z.input<typeof retireCredentialInput>>({
    method: "DELETE",
    url: `/api/v1/credentials/${encodeURIComponent(c.id)}`,
    invalidate: [credentialQueries.ofAgent(agentId).queryKey, rotationQueries.all],
    onDone: onRemoved,
  });
  return (
    <tr>
      <td>
        <strong>{c.name}</strong>
        {c.revoked_key_use && <RevokedKeyUse use={c.revoked_key_use} />}
      </td>
      <td>{c.kind_label}</td>
      <td>{c.provider}</td>
      <td className="mono">{c.location}</td>
      <td className="time">{c.last_rotated_at ? formatUtc(c.last_rotated_at) : "never"}</td>
      <td>
        <Badge tone={ROTATION_STATE[c.rotation_state].look}>{ROTATION_STATE[c.rotation_state].label}</Badge>
        {c.live_rotation_id && (
          <div>
            <Link href={`/rotations/${encodeURIComponent(c.live_rotation_id)}`}>follow the run</Link>
          </div>
        )}
      </td>
      {(responds || admin) && (
        <td>
          <div className="actions">
            {responds && (
              <ConfirmButton
                variant="default"
                disabled={c.live_rotation_id !== null}
                ariaLabel={`Rotate ${c.name}`}
                title="Rotate credentials?"
                message={`Rotate "${c.name}" of ${agentId}? The old secret stops working${c.kind === "ingest_key" ? ": the agent cannot send logs until it has the new key" : ""}.`}
                confirmLabel="Rotate"
                danger
                onConfirm={() => rotate({ credential_ids: [c.id] })}
              >
                Rotate
              </ConfirmButton>
            )}
            {admin && (
              <Button disabled={remove.busy} onClick={onEdit} aria-label={`Edit ${c.name}`}>
                Edit
              </Button>
            )}
            {admin && c.kind !== "ingest_key" && (
              <ConfirmButton
                ariaLabel={`Remove ${c.name}`}
                title={`Remove "${c.name}"?`}
                message={`It leaves ${agentId}'s inventory and will no longer be rotated (its history stays).`}
                confirmLabel="Remove"
                danger
                reason={{}}
                onConfirm={(reason) => remove.run({ reason })}
              >
                Remove
              </ConfirmButton>
            )}
          </div>
        </td>
      )}
    </tr>
  );
}
