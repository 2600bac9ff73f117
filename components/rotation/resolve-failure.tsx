"use client";

import type { QueryKey } from "@tanstack/react-query";
import { useState } from "react";
import { z } from "zod";
import type { RotationItemView, RotationRunView } from "@/lib/rotation/views";
import { Button } from "../ui/button";
import { Field, Form } from "../ui/form";
import { useAction } from "../ui/use-action";

const resolution = z.object({ note: z.string().trim().min(1, "Say how the credential was dealt with").max(4000, "At most 4000 characters") });

/** A failed credential dealt with by hand: the note says how; it then leaves the incident's banner. */
export function ResolveFailure({
  runId,
  item,
  invalidate,
  onResolved,
}: {
  runId: string;
  item: RotationItemView;
  invalidate: QueryKey[];
  onResolved: (run: RotationRunView) => void;
}) {
  const [open, setOpen] = useState(false);
  const action = useAction<z.output<typeof resolution>, { rotation: RotationRunView }>({
    method: "POST",
    url: `/api/v1/rotations/${encodeURIComponent(runId)}/items/${encodeURIComponent(item.id)}/resolve`,
    invalidate,
    onDone: ({ rotation }) => {
      setOpen(false);
      onResolved(rotation);
    },
  });
  const label = `Resolve failure: ${item.credential_name}`;
  if (!open)
    return (
      <Button onClick={() => setOpen(true)} aria-label={label}>
        Resolve failure
      </Button>
    );
  return (
    <Form schema={resolution} action={action} submitLabel="Resolve" busyLabel="Saving…" className="reason-form resolve-form" aria-label={label}>
      <Field label="How it was dealt with" name="note" required maxLength={4000} placeholder="rotated by hand in the vault; old password dropped" size={36} />
      <Button onClick={() => setOpen(false)} disabled={action.busy} className="after-submit">
        Cancel
      </Button>
    </Form>
  );
}
