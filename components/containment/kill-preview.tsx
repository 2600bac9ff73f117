"use client";

import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { containmentQueries } from "../queries";
import { Button } from "../ui/button";
import { Notice } from "../ui/notice";
import { PreviewBody } from "./preview-parts";

/**
 * "What a kill stops": the containment dry-run of one agent, computed when asked (and again each
 * time it is opened), beside the agent's Kill button. Nothing is fetched until the button is pressed.
 */
export function KillPreview({ agentId }: { agentId: string }) {
  const [open, setOpen] = useState(false);
  const bodyId = useId();
  return (
    <section className="kill-preview" aria-label={`What a kill of ${agentId} stops`}>
      <div className="kill-preview-head">
        <strong>What a kill stops</strong>
        <Button aria-expanded={open} aria-controls={open ? bodyId : undefined} onClick={() => setOpen(!open)}>
          {open ? "Hide" : "Check what a kill stops"}
        </Button>
      </div>
      {open && (
        <div id={bodyId}>
          <OpenPreview agentId={agentId} />
        </div>
      )}
    </section>
  );
}

/** Mounted on opening: a fresh computation each time (staleTime 0), the last one shown meanwhile. */
function OpenPreview({ agentId }: { agentId: string }) {
  const preview = useQuery(containmentQueries.ofAgent(agentId));
  if (preview.error && !preview.data) return <Notice kind="error">Could not compute what a kill stops: {preview.error.message}</Notice>;
  if (!preview.data)
    return (
      <p className="muted" role="status">
        Computing what a kill would stop…
      </p>
    );
  return <PreviewBody containment={preview.data} refreshing={preview.isFetching} onRefresh={() => void preview.refetch()} />;
}
