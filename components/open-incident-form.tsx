"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { z } from "zod";
import type { IncidentView } from "@/lib/incidents/types";
import { runbookQueries } from "./queries";
import { Button } from "./ui/button";
import { Field, Form } from "./ui/form";
import { useAction } from "./ui/use-action";

const SEVERITIES = ["critical", "high", "medium", "low"] as const;
const ids = (value: FormDataEntryValue | null) =>
  String(value ?? "")
    .split(/[\s,]+/)
    .filter(Boolean);
const blankIsNone = (value: FormDataEntryValue | null) => String(value ?? "").trim() || undefined;

/** The form's values as POST /api/v1/incidents takes them; the server checks them again. */
const openByHand = z.object({
  title: z.string().max(200, "At most 200 characters").optional(),
  severity: z.enum(SEVERITIES).optional(),
  agent_ids: z.array(z.string().max(128)).min(1, "Name at least one agent").max(20, "At most 20 agents"),
  session_ids: z.array(z.string().max(256)).max(20, "At most 20 sessions"),
  alert_ids: z.array(z.number()).length(0),
  runbook_id: z.string().optional(),
});

function readIncidentForm(form: FormData) {
  return {
    title: blankIsNone(form.get("title")),
    severity: blankIsNone(form.get("severity")),
    agent_ids: ids(form.get("agent_ids")),
    session_ids: ids(form.get("session_ids")),
    alert_ids: [],
    runbook_id: blankIsNone(form.get("runbook_id")),
  };
}

/** Opens an incident by hand (responder+): agents, sessions, title, severity and runbook, when no alert started it. */
export function OpenIncidentForm() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const runbooks = useQuery({ ...runbookQueries.list(), enabled: open });
  const openIncident = useAction<z.output<typeof openByHand>, IncidentView>({
    method: "POST",
    url: "/api/v1/incidents",
    onDone: (incident) => router.push(`/incidents/${incident.id}`),
  });

  if (!open) return <Button onClick={() => setOpen(true)}>Open an incident by hand</Button>;
  return (
    <Form
      schema={openByHand}
      read={readIncidentForm}
      action={openIncident}
      submitLabel="Open incident"
      busyLabel="Opening…"
      className="panel filters"
      aria-label="Open an incident by hand"
    >
      <Field label="Title" name="title" maxLength={200} size={36} placeholder="what is happening" />
      <Field label="Agents" name="agent_ids" required size={28} placeholder="agent ids, comma-separated" />
      <Field label="Sessions" name="session_ids" size={28} placeholder="session ids (optional)" />
      <Field label="Severity" name="severity" as="select" defaultValue="">
        <option value="">the runbook&apos;s</option>
        {SEVERITIES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </Field>
      <Field label="Runbook" name="runbook_id" as="select" defaultValue="">
        <option value="">agent_compromise_runbook</option>
        {(runbooks.data ?? [])
          .filter((r) => r.name !== "agent_compromise_runbook")
          .map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} (v{r.version})
            </option>
          ))}
      </Field>
      <Button onClick={() => setOpen(false)} disabled={openIncident.busy}>
        Cancel
      </Button>
    </Form>
  );
}
