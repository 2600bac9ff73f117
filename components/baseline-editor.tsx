"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import type { BaselineView } from "@/lib/detect/views";
import { formatUtc } from "@/lib/format";
import { callApi } from "./api-client";
import { ProblemBox } from "./shown-once";

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

/** Pure: the form as the API's baseline body; an empty box leaves that limit unchecked. */
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

export function BaselineEditor({ agentId, view, editable, canRecompute }: { agentId: string; view: BaselineView; editable: boolean; canRecompute: boolean }) {
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const url = `/api/v1/agents/${encodeURIComponent(agentId)}/baseline`;
  const configured = view.configured ?? {};
  const evidence = view.learned_evidence as {
    sessions?: number;
    quantile?: number;
    margin?: number;
    window_days?: number;
    min_sessions?: number;
    excluded_sessions_with_high_alerts?: number;
  } | null;

  async function run(method: string, target: string, body?: unknown) {
    setBusy(true);
    const result = await callApi(method, target, body);
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    router.refresh();
  }

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void run("PUT", url, baselineFromForm(new FormData(event.currentTarget)));
  }

  const text = (v: unknown) => (Array.isArray(v) ? v.join("\n") : v == null ? "" : String(v));
  return (
    <div className="panel baseline">
      <p className="subtitle">
        {view.in_effect === "configured" && `Judged by the configured baseline (set by ${view.configured_by} at ${formatUtc(view.configured_at ?? "")}).`}
        {view.in_effect === "learned" && "No configured baseline: judged by the learned one, one severity lower."}
        {view.in_effect === null && "No baseline yet: this agent's sessions are not judged (an unknown_agent alert says so)."}
      </p>
      <form onSubmit={save} aria-label="Configured baseline" className="form-row">
        <label className="wide">
          Expected tools (one per line)
          <textarea name="expected_tools" rows={4} defaultValue={text(configured.expected_tools)} disabled={!editable} />
        </label>
        {NUMBER_FIELDS.map(([name, label, step]) => (
          <label key={name}>
            {label}
            <input name={name} type="number" min={step} step={step} defaultValue={text(configured[name])} disabled={!editable} />
          </label>
        ))}
        <label className="wide">
          Forbidden patterns in output (one per line)
          <textarea name="forbidden_patterns_in_output" rows={3} defaultValue={text(configured.forbidden_patterns_in_output)} disabled={!editable} />
        </label>
        {editable && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Save baseline
            </button>
            {view.configured && (
              <button type="button" className="danger" disabled={busy} onClick={() => void run("PUT", url, null)}>
                Remove configured baseline
              </button>
            )}
          </div>
        )}
      </form>

      <h3>Learned from history</h3>
      {view.learned ? (
        <>
          <p className="subtitle">
            From {evidence?.sessions ?? "?"} sessions in the last {evidence?.window_days ?? 7} days
            {evidence?.excluded_sessions_with_high_alerts ? ` (${evidence.excluded_sessions_with_high_alerts} with high or critical alerts left out)` : ""}: the{" "}
            {Math.round((evidence?.quantile ?? 0.99) * 100)}th percentile per session × {evidence?.margin ?? 1.5}. Computed {formatUtc(view.learned_at ?? "")}.
          </p>
          <BaselineSummary baseline={view.learned} />
        </>
      ) : (
        <p className="subtitle">
          Not enough history to propose one
          {evidence ? ` (${evidence.sessions ?? 0} sessions in ${evidence.window_days ?? 7} days; needs ${evidence.min_sessions ?? 10})` : ""}.
        </p>
      )}
      <div className="actions">
        {editable && view.learned && (
          <button type="button" className="primary" disabled={busy} onClick={() => void run("PUT", url, view.learned)}>
            Adopt learned baseline
          </button>
        )}
        {canRecompute && (
          <button type="button" disabled={busy} onClick={() => void run("POST", `${url}/learn`)}>
            Recompute from history
          </button>
        )}
      </div>
      <ProblemBox problem={problem} />
    </div>
  );
}
