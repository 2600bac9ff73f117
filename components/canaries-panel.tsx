"use client";

import { z } from "zod";
import type { CanaryView } from "@/lib/detect/views";
import { formatUtc } from "@/lib/format";
import { ConfirmButton } from "./ui/dialog";
import { Field, Form } from "./ui/form";
import { useAction } from "./ui/use-action";

const PLACEMENTS = [
  ["system_prompt", "System prompt"],
  ["document", "Document"],
  ["tool", "Tool"],
] as const;

// The server's issueCanaryInput names its placements from the db schema, which the browser cannot load; these are its rules for the form's fields.
const issueCanaryForm = z.object({
  placement: z.enum(["system_prompt", "document", "tool"]),
  label: z.string().trim().min(1, "label: say where the canary was planted").max(200),
});

export function CanariesPanel({ agentId, canaries, editable }: { agentId: string; canaries: CanaryView[]; editable: boolean }) {
  const issue = useAction<z.output<typeof issueCanaryForm>>({
    method: "POST",
    url: "/api/v1/canaries",
    body: (form) => ({ agent_id: agentId, ...form }),
    refresh: true,
  });
  const retire = useAction<{ id: string }>({ method: "DELETE", url: ({ id }) => `/api/v1/canaries/${id}`, body: () => undefined, refresh: true });

  return (
    <div className="panel">
      {canaries.length === 0 ? (
        <p className="empty">No canaries planted. A canary in the system prompt that shows up in output means the prompt was extracted.</p>
      ) : (
        <table aria-label="Canaries">
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Planted in</th>
              <th scope="col">Label</th>
              <th scope="col">Issued</th>
              {editable && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {canaries.map((c) => (
              <tr key={c.id}>
                <td className="mono">{c.token}</td>
                <td>{c.placement.replace("_", " ")}</td>
                <td>{c.label}</td>
                <td className="time">
                  {formatUtc(c.created_at)} by {c.created_by}
                </td>
                {editable && (
                  <td>
                    <ConfirmButton
                      danger
                      ariaLabel={`Retire canary ${c.label}`}
                      title={`Retire canary ${c.label}?`}
                      message="It stops being this agent's registered canary; its token seen later is flagged as an unregistered marker."
                      confirmLabel="Retire"
                      onConfirm={() => retire.run({ id: c.id })}
                    >
                      Retire
                    </ConfirmButton>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editable && (
        <Form
          schema={issueCanaryForm}
          action={issue}
          submitLabel="Issue canary"
          busyLabel="Issuing…"
          className="form-row"
          aria-label="Issue a canary"
          onDone={(form) => form.reset()}
        >
          <Field label="Planted in" name="placement" as="select" defaultValue="system_prompt">
            {PLACEMENTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Field>
          <Field label="Label" name="label" required maxLength={200} placeholder="support prompt v3" />
        </Form>
      )}
    </div>
  );
}
