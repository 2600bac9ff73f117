"use client";

import { useState } from "react";
import { z } from "zod";
import type { KillPolicy } from "@/lib/killswitch/policies";
import { Field, Form } from "./ui/form";
import { useAction } from "./ui/use-action";

const RULES = ["canary_leak", "critical_alert", "session_cost_above"] as const;

const DESCRIPTIONS: Record<KillPolicy["rule"], string> = {
  canary_leak: "a registered canary appears in anything the agent sends out",
  critical_alert: "a critical alert is raised for the agent",
  session_cost_above: "one session's cost passes a hard limit",
};

// The server's policiesInput sits beside its db writes, out of the browser's reach; these are its rules for the form's fields.
const killPoliciesForm = z
  .object({
    canary_leak: z.boolean(),
    critical_alert: z.boolean(),
    session_cost_above: z.boolean(),
    threshold: z.number("threshold: a number of USD").positive("threshold: more than 0").max(1_000_000).optional(),
  })
  .transform((form) => ({
    policies: RULES.map((rule) => ({
      rule,
      enabled: form[rule],
      ...(rule === "session_cost_above" && form.threshold !== undefined ? { threshold_usd: form.threshold } : {}),
    })),
  }));

function readKillPoliciesForm(form: FormData) {
  const threshold = String(form.get("threshold") ?? "").trim();
  return {
    ...Object.fromEntries(RULES.map((rule) => [rule, form.get(rule) === "on"])),
    ...(threshold ? { threshold: Number(threshold) } : {}),
  };
}

function PolicyChoices({ policies, editable }: { policies: KillPolicy[]; editable: boolean }) {
  const current = (rule: KillPolicy["rule"]) => policies.find((p) => p.rule === rule);
  return RULES.map((rule) => (
    <div key={rule} className="policy">
      <label className="check">
        <input type="checkbox" name={rule} defaultChecked={current(rule)?.enabled ?? false} disabled={!editable} /> Kill when {DESCRIPTIONS[rule]}
      </label>
      {rule === "session_cost_above" && (
        <Field
          label="Limit (USD)"
          name="threshold"
          type="number"
          min={0.01}
          step={0.01}
          defaultValue={current(rule)?.threshold_usd ?? ""}
          disabled={!editable}
        />
      )}
    </div>
  ));
}

export function KillPoliciesEditor({ agentId, policies, editable }: { agentId: string; policies: KillPolicy[]; editable: boolean }) {
  const [saved, setSaved] = useState(false);
  const save = useAction<z.output<typeof killPoliciesForm>>({
    method: "PUT",
    url: `/api/v1/agents/${encodeURIComponent(agentId)}/kill-policies`,
    refresh: true,
    onDone: () => setSaved(true),
  });

  if (!editable)
    return (
      <form className="panel form-row" aria-label="Automatic kill policies">
        <PolicyChoices policies={policies} editable={false} />
        <span className="subtitle">Only admins change these.</span>
      </form>
    );
  return (
    <Form
      schema={killPoliciesForm}
      read={readKillPoliciesForm}
      action={save}
      submitLabel="Save policies"
      busyLabel="Saving…"
      className="panel form-row"
      aria-label="Automatic kill policies"
    >
      <PolicyChoices policies={policies} editable />
      {saved && !save.busy && !save.error && <span role="status">Saved; each change is in the audit log.</span>}
    </Form>
  );
}
