"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Dashboard, DashboardRange } from "@/lib/dashboard/views";
import { formatAgo, formatCost, formatCount, formatUtc } from "@/lib/format";
import { RANGE_PRESETS } from "@/lib/time-range";
import { dashboardQueries } from "../queries";
import { TimeRange } from "../ui/time-range";
import { ACTION_SERIES, activityRates, formatBucketTime } from "./dashboard.utils";

const RANGES: readonly string[] = ["1h", "24h", "7d"] satisfies DashboardRange[];
/** The dashboard draws from rollups, which serve these three ranges. */
const DASHBOARD_PRESETS = RANGE_PRESETS.filter((p) => RANGES.includes(p.value));
const SERIES_COLOURS: Record<(typeof ACTION_SERIES)[number], string> = {
  llm_call: "#a5d6ff",
  tool_call: "#d2a8ff",
  decision: "#7ee787",
  error: "#ff6b6b",
  security: "#f5a524",
};
const SEVERITY_COLOURS = { critical: "#b62324", high: "#ff6b6b", medium: "#f5a524", low: "#8b98a9" } as const;
const AXIS = { stroke: "#8b98a9", fontSize: 11 };
const TOOLTIP = { contentStyle: { background: "#161b22", border: "1px solid #30363d" }, labelStyle: { color: "#e6edf3" } };

/** The home page: kept live by refetching every few seconds; the first paint comes from the server. */
export function DashboardView({ initial }: { initial: Dashboard }) {
  const [range, setRange] = useState<DashboardRange>(initial.range);
  const chooseRange = (next: string | undefined) => {
    if (!next || !RANGES.includes(next)) return;
    setRange(next as DashboardRange);
    // The range lives in the URL, so a link or a reload shows the same window.
    const url = new URL(window.location.href);
    url.searchParams.set("range", next);
    window.history.replaceState(window.history.state, "", url);
  };
  const query = useQuery({
    ...dashboardQueries.range(range),
    initialData: range === initial.range ? initial : undefined,
    refetchInterval: 5_000,
    refetchIntervalInBackground: false,
  });
  const data = query.data;

  return (
    <>
      <div className="toolbar">
        <TimeRange value={{ range }} presets={DASHBOARD_PRESETS} onChange={(v) => chooseRange(v.range)} />
        <span className="live">{query.isError ? "reconnecting…" : data ? `updated ${formatUtc(data.generated_at).slice(11)}` : "loading…"}</span>
      </div>
      {data?.global_kill.killed && (
        <div className="banner-danger" role="status">
          Every agent is stopped (global kill): {data.global_kill.reason}
        </div>
      )}
      {data && <Panels data={data} />}
    </>
  );
}

function Panels({ data }: { data: Dashboard }) {
  const rates = activityRates(data.activity, Date.parse(data.since), Date.parse(data.generated_at), data.bucket_seconds);
  const openTotal = data.open_alerts_by_severity.reduce((n, s) => n + s.count, 0);
  const activeIncidents = data.active_incidents.reduce((n, i) => n + i.count, 0);
  return (
    <div className="dashboard-grid">
      <section className="panel chart-panel" aria-labelledby="activity-title">
        <h2 id="activity-title">Events per minute by action type</h2>
        {/* One line per type, not stacked: each line's height is that type's own rate, and its colour is the legend's. */}
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={rates} margin={{ top: 4, right: 8, bottom: 0, left: -12 }}>
            <CartesianGrid stroke="#21262d" vertical={false} />
            <XAxis dataKey="t" tickFormatter={(t: number) => formatBucketTime(t, data.bucket_seconds)} {...AXIS} minTickGap={24} />
            <YAxis {...AXIS} allowDecimals={false} />
            <Tooltip {...TOOLTIP} labelFormatter={(t) => formatUtc(new Date(Number(t)).toISOString())} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {ACTION_SERIES.map((s) => (
              <Line
                key={s}
                type="monotone"
                dataKey={s}
                stroke={SERIES_COLOURS[s]}
                strokeWidth={s === "security" || s === "error" ? 2 : 1.5}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </section>

      <section className="panel chart-panel" aria-labelledby="open-alerts-title">
        <h2 id="open-alerts-title">
          Open alerts by severity · <Link href="/alerts">{formatCount(openTotal)} open</Link>
        </h2>
        <dl className="stats" aria-label="Open alerts by severity">
          {(["critical", "high", "medium", "low"] as const).map((severity) => (
            <div key={severity} className="stat">
              <dt>{severity}</dt>
              <dd style={{ color: SEVERITY_COLOURS[severity] }}>
                {formatCount(data.open_alerts_by_severity.find((s) => s.severity === severity)?.count ?? 0)}
              </dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="panel chart-panel" aria-labelledby="incidents-title">
        <h2 id="incidents-title">
          Active incidents · <Link href="/incidents">{formatCount(activeIncidents)} active</Link>
        </h2>
        <dl className="stats" aria-label="Active incidents by status">
          {data.active_incidents.map((i) => (
            <div key={i.status} className="stat">
              <dt>{i.status}</dt>
              <dd style={i.status === "open" && i.count > 0 ? { color: SEVERITY_COLOURS.critical } : undefined}>{formatCount(i.count)}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="panel chart-panel" aria-labelledby="findings-title">
        <h2 id="findings-title">Security findings by type, most severe first</h2>
        {data.findings_by_type.length === 0 ? (
          <p className="empty">No findings in this range.</p>
        ) : (
          <>
            <ResponsiveContainer width="100%" height={Math.max(120, data.findings_by_type.length * 28 + 30)}>
              <BarChart data={data.findings_by_type} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 40 }}>
                <XAxis type="number" {...AXIS} allowDecimals={false} />
                <YAxis type="category" dataKey="type" {...AXIS} width={150} />
                <Tooltip
                  {...TOOLTIP}
                  cursor={{ fill: "#21262d" }}
                  formatter={(v, _name, item) => [`${v} (worst: ${item.payload.worst_severity})`, "findings"]}
                />
                <Bar dataKey="count" isAnimationActive={false}>
                  {data.findings_by_type.map((f) => (
                    <Cell key={f.type} fill={SEVERITY_COLOURS[f.worst_severity]} />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
            <ol className="findings-legend" aria-label="Findings by type">
              {data.findings_by_type.map((f) => (
                <li key={f.type}>
                  <span className={`badge sev-${f.worst_severity}`}>{f.worst_severity}</span> {f.type.replaceAll("_", " ")}: {formatCount(f.count)}
                </li>
              ))}
            </ol>
          </>
        )}
      </section>

      <section className="panel chart-panel" aria-labelledby="cost-title">
        <h2 id="cost-title">Cost per agent</h2>
        {data.cost_by_agent.length === 0 ? (
          <p className="empty">No cost reported in this range.</p>
        ) : (
          <ResponsiveContainer width="100%" height={Math.max(120, data.cost_by_agent.length * 28 + 30)}>
            <BarChart data={data.cost_by_agent} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 40 }}>
              <XAxis type="number" {...AXIS} tickFormatter={(v: number) => `$${v}`} />
              <YAxis type="category" dataKey="agent_id" {...AXIS} width={150} />
              <Tooltip {...TOOLTIP} cursor={{ fill: "#21262d" }} formatter={(v) => formatCost(Number(v))} />
              <Bar dataKey="cost_usd" isAnimationActive={false}>
                {data.cost_by_agent.map((c) => (
                  <Cell key={c.agent_id} fill="#4c9aff" />
                ))}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        )}
      </section>

      <section className="panel chart-panel" aria-labelledby="risk-title">
        <h2 id="risk-title">Top sessions by risk</h2>
        {data.top_sessions.length === 0 ? (
          <p className="empty">No session raised an alert in this range.</p>
        ) : (
          <table aria-label="Top sessions by risk">
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Agent</th>
                <th scope="col">Worst</th>
                <th scope="col">Alerts</th>
                <th scope="col">Risk</th>
              </tr>
            </thead>
            <tbody>
              {data.top_sessions.map((s) => (
                <tr key={`${s.agent_id}:${s.session_id}`}>
                  <td>
                    <Link className="mono" href={`/sessions/${encodeURIComponent(s.session_id)}`}>
                      {s.session_id}
                    </Link>
                  </td>
                  <td>
                    <Link href={`/agents/${encodeURIComponent(s.agent_id)}`}>{s.agent_id}</Link>
                  </td>
                  <td>
                    <span className={`badge sev-${s.worst_severity}`}>{s.worst_severity}</span>
                  </td>
                  <td className="num">
                    <Link href={`/alerts?status=&session_id=${encodeURIComponent(s.session_id)}`}>
                      {s.alerts} ({formatCount(s.findings)} findings)
                    </Link>
                  </td>
                  <td className="num">{s.risk}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel chart-panel" aria-labelledby="kill-title">
        <h2 id="kill-title">Agents' kill state</h2>
        {data.agents.length === 0 ? (
          <p className="empty">No agents registered.</p>
        ) : (
          <table aria-label="Agents' kill state">
            <tbody>
              {data.agents.map((a) => (
                <tr key={a.agent_id}>
                  <td>
                    <Link href={`/agents/${encodeURIComponent(a.agent_id)}`}>{a.agent_id}</Link>
                  </td>
                  <td>{a.killed || data.global_kill.killed ? <span className="badge killed">killed</span> : <span className="badge alive">running</span>}</td>
                  <td className="log-text">{a.killed ? a.reason : `last seen ${formatAgo(a.last_seen_at, Date.parse(data.generated_at))}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
