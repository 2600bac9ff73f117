"use client";

import { useQuery } from "@tanstack/react-query";
import { formatUtc } from "@/lib/format";
import { rotationQueries } from "../queries";
import { Badge } from "../ui/badge";
import { ITEM_STATE_CLASS, STEP_LABEL } from "./labels";

/**
 * A run in progress, where it was started (the incident's rotation step): how many are rotated, and
 * each credential not yet done with its step, state and last error, followed every second.
 */
export function RotationProgress({ rotationId }: { rotationId: string }) {
  const query = useQuery({
    ...rotationQueries.detail(rotationId),
    refetchInterval: (q) => (q.state.data?.status === "running" ? 1_000 : false),
  });
  const run = query.data;
  // A viewer may read the incident but not its runs: the link above is then all there is.
  if (!run) return null;
  const open = run.items.filter((i) => i.state !== "rotated");
  return (
    <div data-testid="rotation-progress">
      <span>
        {run.counts.rotated} of {run.counts.total} rotated
        {run.counts.failed > 0 && `, ${run.counts.failed} failed`}
      </span>
      {open.length > 0 && (
        <ul className="output-list" aria-label="Credentials still being rotated">
          {open.map((item) => (
            <li key={item.id}>
              “{item.credential_name}” ({item.kind_label}): <Badge tone={ITEM_STATE_CLASS[item.state]}>{item.state}</Badge> at {STEP_LABEL[item.step]}
              {item.attempts > 1 && `, attempt ${item.attempts}`}
              {item.state === "retrying" && item.next_attempt_at && `, next at ${formatUtc(item.next_attempt_at)}`}
              {item.last_error && <span className="muted"> · {item.last_error}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
