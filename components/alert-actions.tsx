"use client";

import { useState } from "react";
import { z } from "zod";
import { Button } from "./ui/button";
import { Field, Form } from "./ui/form";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

const resolution = z.object({ note: z.string().trim().min(1, "Say what was found and done").max(2000) });

/** Acknowledge and resolve buttons for one alert; resolving asks what was found and done. */
export function AlertActions({ alertId, status }: { alertId: number; status: "open" | "acknowledged" | "resolved" }) {
  const [resolving, setResolving] = useState(false);
  const acknowledge = useAction({ method: "POST", url: `/api/v1/alerts/${alertId}/acknowledge`, refresh: true });
  const resolve = useAction<z.output<typeof resolution>>({
    method: "POST",
    url: `/api/v1/alerts/${alertId}/resolve`,
    refresh: true,
    onDone: () => setResolving(false),
  });

  if (status === "resolved") return null;
  return (
    <div className="actions">
      {status === "open" && (
        <Button onClick={() => void acknowledge.run({})} busy={acknowledge.busy} aria-label={`Acknowledge alert ${alertId}`}>
          Acknowledge
        </Button>
      )}
      {!resolving ? (
        <Button onClick={() => setResolving(true)} aria-label={`Resolve alert ${alertId}`}>
          Resolve…
        </Button>
      ) : (
        <Form schema={resolution} action={resolve} submitLabel="Resolve" busyLabel="Resolving…" className="reason-form" aria-label={`Resolve alert ${alertId}`}>
          <Field label="Resolution note" name="note" required maxLength={2000} placeholder="What was found and done" autoFocus />
          <Button onClick={() => setResolving(false)}>Cancel</Button>
        </Form>
      )}
      <Notice kind="error">{acknowledge.error}</Notice>
    </div>
  );
}
