import Link from "next/link";
import { ROTATION_ITEM_STEPS as ITEM_STEPS } from "@/lib/credentials/providers/provider";
import { formatUtc } from "@/lib/format";
import type { RevealedSecret, RotationItemView, RotationRunView } from "@/lib/rotation/views";
import { rotationQueries } from "../queries";
import { Badge } from "../ui/badge";
import { ITEM_STATE_CLASS, STEP_LABEL, unresolved } from "./labels";
import { ResolveFailure } from "./resolve-failure";
import { NewSecret } from "./reveal-once";

/** One credential of a run: where it is, its steps, its state and last error, its new secret and, when it failed, how it was dealt with. */
export function ItemRow({
  runId,
  item,
  responds,
  onRevealed,
  onResolved,
}: {
  runId: string;
  item: RotationItemView;
  responds: boolean;
  onRevealed: (secret: RevealedSecret) => void;
  onResolved: (run: RotationRunView) => void;
}) {
  return (
    <tr data-testid="rotation-item" data-state={item.state}>
      <td style={{ minWidth: 140 }}>
        <strong>{item.credential_name}</strong>
        <div className="muted">
          {item.kind_label} ·{" "}
          <Link className="mono" href={`/agents/${encodeURIComponent(item.agent_id)}`}>
            {item.agent_id}
          </Link>
        </div>
      </td>
      <td className="mono" style={{ minWidth: 180, maxWidth: 240, wordBreak: "break-all" }}>
        {item.location}
      </td>
      <td style={{ minWidth: 270 }}>
        <StepProgress item={item} />
      </td>
      <td style={{ minWidth: 190 }}>
        <ItemState item={item} />
      </td>
      <td style={{ minWidth: 220 }}>{item.last_error ? <p className="log-text">{item.last_error}</p> : <span className="muted">none</span>}</td>
      <td>
        <NewSecret runId={runId} item={item} canReveal={responds} onRevealed={onRevealed} />
      </td>
      <td>
        {item.resolved_at ? (
          <span>
            Resolved by {item.resolved_by ?? "someone"} at {formatUtc(item.resolved_at)}
            {item.resolution_note && <span className="step-note">: {item.resolution_note}</span>}
          </span>
        ) : unresolved(item) && responds ? (
          <ResolveFailure runId={runId} item={item} invalidate={[rotationQueries.all]} onResolved={onResolved} />
        ) : unresolved(item) ? (
          <span className="muted">not resolved yet</span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}

/** revoke old → create → apply → verify → record, the steps behind done, the one being worked highlighted. */
function StepProgress({ item }: { item: RotationItemView }) {
  const at = ITEM_STEPS.indexOf(item.step);
  return (
    <ol aria-label={`Steps of ${item.credential_name}`} className="step-progress">
      {ITEM_STEPS.map((step, n) => {
        const done = item.state === "rotated" || n < at;
        const current = !done && n === at;
        const look = done
          ? "state-done"
          : !current
            ? "state-pending"
            : item.state === "failed"
              ? "state-failed"
              : item.state === "pending"
                ? "state-pending"
                : "state-running";
        return (
          <li key={step} aria-current={current ? "step" : undefined}>
            <Badge tone={look}>
              {done && "✓ "}
              {STEP_LABEL[step]}
            </Badge>
            {n < ITEM_STEPS.length - 1 && (
              <span className="muted" aria-hidden="true">
                →
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function ItemState({ item }: { item: RotationItemView }) {
  return (
    <>
      <span className={`badge ${ITEM_STATE_CLASS[item.state]}`} data-testid="rotation-item-state">
        {item.state}
      </span>
      <div className="muted">
        {item.state === "rotated" || item.attempts === 0 ? "" : `attempt ${item.attempts} at ${STEP_LABEL[item.step]}`}
        {item.state === "retrying" && item.next_attempt_at && <div>next attempt at {formatUtc(item.next_attempt_at)}</div>}
        {item.finished_at && item.state !== "failed" && <div>done at {formatUtc(item.finished_at)}</div>}
        {item.finished_at && item.state === "failed" && <div>gave up at {formatUtc(item.finished_at)}</div>}
      </div>
      <div>
        old secret refused:{" "}
        {item.old_refused === null ? (
          <span className="muted">{item.kind === "hmac_secret" ? "for the agents that check its signatures to say" : "unknown"}</span>
        ) : item.old_refused ? (
          "yes"
        ) : (
          <strong>no</strong>
        )}
      </div>
      {item.old_key_use && item.old_key_use.attempts > 0 && (
        <div className="step-error" role="note" data-testid="old-key-use">
          {item.old_key_use.attempts} request{item.old_key_use.attempts === 1 ? "" : "s"} refused since, with the key it revoked
          {item.old_key_use.last_at && `, last at ${formatUtc(item.old_key_use.last_at)}`}
        </div>
      )}
    </>
  );
}
