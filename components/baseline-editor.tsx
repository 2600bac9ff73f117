"use client";

import { type Baseline, baselineSchema } from "@/lib/detect/baseline";
import type { BaselineView } from "@/lib/detect/views";
import { formatUtc } from "@/lib/format";
import { Button } from "./ui/button";
import { ConfirmButton } from "./ui/dialog";
import { Field, Form } from "./ui/form";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

const NUMBER_FIELDS = [
  ["max_tool_calls_per_session", "Max tool calls per session", 1],
  ["max_llm_calls_per_session", "Max LLM calls per session", 1],
  ["max_session_duration_seconds", "Max session duration (s)", 1],
  ["max_cost_per_session_usd", "Max cost per session (USD)", 0.01],
  ["max_tool_call_rate_per_minute", "Max tool calls per minute", 1],
] as const;

type Fields = Record<string, unknown>;
const lines = (value: FormDataEntryValue | null) =>
  String(value ?? "")
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The form as the API's baseline body; an empty box leaves that limit unchecked. */
function baselineFromForm(form: FormData): Fields {
  const body: Fields = {};
  const tools = String(form.get("expected_tools") ?? "").trim();
  if (tools) body.expected_tools = lines(tools);
  for (const [name] of NUMBER_FIELDS) {
    const raw = String(form.get(name) ?? "").trim();
    if (raw) body[name] = Number(raw);
  }
  const patterns = String(form.get("forbidden_patterns_in_output") ?? "")
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
  if (patterns.length > 0) body.forbidden_patterns_in_output = patterns;
  return body;
}

function BaselineSummary({ baseline }: { baseline: Fields }) {
  return (
    <dl className="baseline-summary">
      {Object.entries(baseline)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => (
          <div key={k}>
            <dt className="mono">{k}</dt>
            <dd className="log-text">{Array.isArray(v) ? v.join(", ") || "(none)" : String(v)}</dd>
          </div>
        ))}
    </dl>
  );
}

const text = (v: unknown) => (Array.isArray(v) ? v.join("\n") : v == null ? "" : String(v));

/** The configured baseline's fields, editable or shown as they are. */
function BaselineFields({ configured, disabled }: { configured: Fields; disabled?: boolean }) {
  return (
    <>
      <Field
        as="textarea"
        className="wide"
        label="Expected tools (one per line)"
        name="expected_tools"
        rows={4}
        defaultValue={text(configured.expected_tools)}
        disabled={disabled}
      />
      {NUMBER_FIELDS.map(([name, label, step]) => (
        <Field key={name} label={label} name={name} type="number" min={step} step={step} defaultValue={text(configured[name])} disabled={disabled} />
      ))}
      <Field
        as="textarea"
        className="wide"
        label="Forbidden patterns in output (one per line)"
        name="forbidden_patterns_in_output"
        rows={3}
        defaultValue={text(configured.forbidden_patterns_in_output)}
        disabled={disabled}
      />
    </>
  );
}

export function BaselineEditor({ agentId, view, editable, canRecompute }: { agentId: string; view: BaselineView; editable: boolean; canRecompute: boolean }) {
  const url = `/api/v1/agents/${encodeURIComponent(agentId)}/baseline`;
  const save = useAction<Baseline>({ method: "PUT", url, refresh: true });
  const replace = useAction<Fields | null>({ method: "PUT", url, refresh: true });
  const learn = useAction<undefined>({ method: "POST", url: `${url}/learn`, refresh: true });
  const configured = view.configured ?? {};
  const evidence = view.learned_evidence as {
    sessions?: number;
    quantile?: number;
    margin?: number;
    window_days?: number;
    min_sessions?: number;
    excluded_sessions_with_high_alerts?: number;
  } | null;
  const learned = view.learned;

  return (
    <div className="panel baseline">
      <p className="subtitle">
        {view.in_effect === "configured" && `Judged by the configured baseline (set by ${view.configured_by} at ${formatUtc(view.configured_at ?? "")}).`}
        {view.in_effect === "learned" && "No configured baseline: judged by the learned one, one severity lower."}
        {view.in_effect === null && "No baseline yet: this agent's sessions are not judged (an unknown_agent alert says so)."}
      </p>
      {editable ? (
        <>
          <Form
            schema={baselineSchema}
            read={baselineFromForm}
            action={save}
            submitLabel="Save baseline"
            busyLabel="Saving…"
            aria-label="Configured baseline"
            className="form-row"
            key={view.configured_at ?? "none"}
          >
            <BaselineFields configured={configured} />
          </Form>
          {view.configured && (
            <div className="actions">
              <ConfirmButton
                danger
                title="Remove the configured baseline?"
                message={
                  view.learned
                    ? "The learned baseline judges this agent's sessions then, one severity lower."
                    : "Nothing judges this agent's sessions against a baseline then."
                }
                confirmLabel="Remove configured baseline"
                onConfirm={() => replace.run(null)}
              >
                Remove configured baseline
              </ConfirmButton>
            </div>
          )}
        </>
      ) : (
        <form aria-label="Configured baseline" className="form-row">
          <BaselineFields configured={configured} disabled />
        </form>
      )}

      <h3>Learned from history</h3>
      {learned ? (
        <>
          <p className="subtitle">
            From {evidence?.sessions ?? "?"} sessions in the last {evidence?.window_days ?? 7} days
            {evidence?.excluded_sessions_with_high_alerts ? ` (${evidence.excluded_sessions_with_high_alerts} with high or critical alerts left out)` : ""}: the{" "}
            {Math.round((evidence?.quantile ?? 0.99) * 100)}th percentile per session × {evidence?.margin ?? 1.5}. Computed {formatUtc(view.learned_at ?? "")}.
          </p>
          <BaselineSummary baseline={learned} />
        </>
      ) : (
        <p className="subtitle">
          Not enough history to propose one
          {evidence ? ` (${evidence.sessions ?? 0} sessions in ${evidence.window_days ?? 7} days; needs ${evidence.min_sessions ?? 10})` : ""}.
        </p>
      )}
      <div className="actions">
        {editable && learned && (
          <ConfirmButton
            variant="primary"
            title="Adopt the learned baseline?"
            message={
              view.configured
                ? "It replaces the configured baseline, and is judged at full severity."
                : "It becomes the configured baseline, judged at full severity."
            }
            confirmLabel="Adopt learned baseline"
            onConfirm={() => replace.run(learned)}
          >
            Adopt learned baseline
          </ConfirmButton>
        )}
        {canRecompute && (
          <Button disabled={learn.busy} busy={learn.busy} busyLabel="Recomputing…" onClick={() => void learn.run(undefined)}>
            Recompute from history
          </Button>
        )}
      </div>
      <Notice kind="error">{learn.error}</Notice>
    </div>
  );
}
