"use client";

import { z } from "zod";
import { formatUtc } from "@/lib/format";
import { grantCapabilityInput } from "@/lib/policy/capabilities";
import type { CapabilityView } from "@/lib/policy/views";
import { capabilityQueries } from "../queries";
import { Badge } from "../ui/badge";
import { type Column, DataTable } from "../ui/data-table";
import { ConfirmButton } from "../ui/dialog";
import { Field, Form } from "../ui/form";
import { useAction } from "../ui/use-action";

const CAPABILITIES_KEY = capabilityQueries.list().queryKey;

/** The grant form's text as the API's body: actions comma- or line-separated, the expiry in UTC. */
function readGrantForm(form: FormData) {
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const rate = text("max_requests_per_minute");
  const expires = text("expires_at");
  const expiresMs = expires ? Date.parse(`${expires}Z`) : 0;
  return {
    source_agent: text("source_agent"),
    target_agent: text("target_agent"),
    allowed_actions: text("allowed_actions")
      .split(/[,\n]/)
      .map((a) => a.trim())
      .filter(Boolean),
    ...(rate ? { max_requests_per_minute: Number(rate) } : {}),
    ...(expires ? { expires_at: Number.isNaN(expiresMs) ? -1 : expiresMs / 1000 } : {}),
  };
}

/** The server's own schema, each refusal put on the field the form has for it (`allowed_actions.0` is the actions field). */
const grantForm = z.unknown().transform((raw, ctx) => {
  const parsed = grantCapabilityInput.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: [String(issue.path[0] ?? "form")], message: issue.message });
  return z.NEVER;
});

function GrantForm({ agentIds }: { agentIds: string[] }) {
  const grant = useAction<z.output<typeof grantForm>, CapabilityView>({ method: "POST", url: "/api/v1/capabilities", invalidate: [CAPABILITIES_KEY] });
  return (
    <Form
      schema={grantForm}
      read={readGrantForm}
      action={grant}
      submitLabel="Grant"
      busyLabel="Granting…"
      className="panel form-row"
      aria-label="Grant a capability"
      onDone={(form) => form.reset()}
    >
      <datalist id="registry-agent-ids">
        {agentIds.map((id) => (
          <option key={id} value={id} />
        ))}
      </datalist>
      <Field label="May ask (source)" name="source_agent" required list="registry-agent-ids" placeholder="orchestrator" autoComplete="off" />
      <Field label="Asks (target)" name="target_agent" required list="registry-agent-ids" placeholder="data-agent" autoComplete="off" />
      <Field label="For actions" name="allowed_actions" required placeholder="query_sales, generate_report" hint="comma-separated" autoComplete="off" />
      <Field label="Requests / min" name="max_requests_per_minute" type="number" min={1} placeholder="10" className="narrow-field" />
      <Field label="Expires (UTC)" name="expires_at" type="datetime-local" hint="empty for never" />
    </Form>
  );
}

/** The capability registry as a table; admins grant above it and revoke, with a reason, in it. */
export function CapabilityRegistry({ grants, canGrant, agentIds }: { grants: CapabilityView[]; canGrant: boolean; agentIds: string[] }) {
  const revoke = useAction<{ id: string; reason: string }>({
    method: "DELETE",
    url: ({ id }) => `/api/v1/capabilities/${encodeURIComponent(id)}`,
    body: ({ reason }) => ({ reason }),
    invalidate: [CAPABILITIES_KEY],
  });
  const columns: Column<CapabilityView>[] = [
    { header: "Source", primary: true, cell: (g) => <span className="mono">{g.source_agent}</span> },
    { header: "Target", cell: (g) => <span className="mono">{g.target_agent}</span> },
    { header: "Actions", cell: (g) => <span className="log-text">{g.allowed_actions.join(", ")}</span> },
    { header: "Rate", className: "num", cell: (g) => `${g.max_requests_per_minute}/min` },
    {
      header: "Expires",
      cell: (g) =>
        g.expires_at === null ? (
          "never"
        ) : (
          <>
            {formatUtc(g.expires_at)} {g.expired && <Badge tone="sev-high">expired</Badge>}
          </>
        ),
    },
    {
      header: "Granted by",
      cell: (g) => (
        <div>
          <span className="mono">{g.created_by}</span>
          <br />
          <span className="muted">{formatUtc(g.created_at)}</span>
        </div>
      ),
    },
    ...(canGrant
      ? [
          {
            header: "Revoke",
            cell: (g: CapabilityView) => (
              <ConfirmButton
                danger
                title={`Revoke ${g.source_agent} → ${g.target_agent}?`}
                message={`${g.source_agent}'s requests to ${g.target_agent} are judged unauthorized from now on.`}
                confirmLabel="Revoke"
                ariaLabel={`Revoke ${g.source_agent} → ${g.target_agent}`}
                reason={{ placeholder: "why it goes" }}
                onConfirm={(reason) => revoke.run({ id: g.id, reason })}
              >
                Revoke
              </ConfirmButton>
            ),
          },
        ]
      : []),
  ];
  return (
    <>
      {canGrant && <GrantForm agentIds={agentIds} />}
      <DataTable
        label="Capability grants"
        columns={columns}
        rows={grants}
        rowKey={(g) => g.id}
        empty="No grant: agents that hold none are not judged on what they ask each other."
      />
    </>
  );
}
