"use client";

import Link from "next/link";
import { formatUtc } from "@/lib/format";
import type { RevealedSecret, RotationItemView } from "@/lib/rotation/views";
import { rotationQueries } from "../queries";
import { ShownOnce } from "../shown-once";
import { ConfirmButton } from "../ui/dialog";
import { useAction } from "../ui/use-action";

/** Where a rotation item's new secret is: ready to be revealed once (to a responder), shown, delivered, or never made. */
export function NewSecret({
  runId,
  item,
  canReveal,
  onRevealed,
}: {
  runId: string;
  item: RotationItemView;
  canReveal: boolean;
  onRevealed: (secret: RevealedSecret) => void;
}) {
  switch (item.new_secret) {
    case "ready_to_reveal":
      return canReveal ? (
        <RevealButton runId={runId} item={item} onRevealed={onRevealed} />
      ) : (
        <span className="muted">ready: a responder can reveal it once</span>
      );
    case "revealed":
      return (
        <span className="muted">
          shown once to {item.revealed_by ?? "someone"}
          {item.revealed_at && ` at ${formatUtc(item.revealed_at)}`}
        </span>
      );
    case "delivered_by_provider":
      return <span className="muted">delivered by the secret manager</span>;
    case "superseded":
      return (
        <span className="muted">
          dead: rotated again by {item.superseded_by ? <Link href={`/rotations/${encodeURIComponent(item.superseded_by)}`}>a later run</Link> : "a later run"}{" "}
          before it was shown
        </span>
      );
    case "none":
      return <span className="muted">none was made</span>;
    case "not_yet":
      return <span className="muted">{item.state === "failed" ? "none to show" : "not yet"}</span>;
  }
}

function RevealButton({ runId, item, onRevealed }: { runId: string; item: RotationItemView; onRevealed: (secret: RevealedSecret) => void }) {
  const reveal = useAction<undefined, RevealedSecret>({
    method: "POST",
    url: `/api/v1/rotations/${encodeURIComponent(runId)}/items/${encodeURIComponent(item.id)}/reveal`,
    invalidate: [rotationQueries.detail(runId).queryKey],
    onDone: onRevealed,
  });
  return (
    <span style={{ whiteSpace: "nowrap" }}>
      <ConfirmButton
        variant="primary"
        ariaLabel={`Reveal the new secret of ${item.credential_name}`}
        title={`Show the new secret of "${item.credential_name}"?`}
        message="It is shown once: have the agent's secret store ready."
        confirmLabel="Show it once"
        onConfirm={() => reveal.run(undefined)}
      >
        Reveal new secret
      </ConfirmButton>
    </span>
  );
}

/** The secrets revealed on this page, until the reader leaves it: nobody can see them again. */
export function RevealedSecrets({ secrets }: { secrets: RevealedSecret[] }) {
  return secrets.map((r) => (
    <div key={r.credential_id} data-testid="revealed-secret">
      <ShownOnce
        title={`New secret of "${r.name}"`}
        hint="it will NOT be shown again, not even to you: put it in the agent's secret store now, before leaving this page"
        secret={r.secret}
      />
    </div>
  ));
}
