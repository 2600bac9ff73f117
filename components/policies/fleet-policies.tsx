import Link from "next/link";
import { formatUtc } from "@/lib/format";
import type { FleetPoliciesView, FleetPolicyView } from "@/lib/policy/views";
import { type Column, DataTable } from "../ui/data-table";

const shownScope = (scope: string[]) => (scope.length === 0 ? "nothing" : scope.join(", "));

const columns: Column<FleetPolicyView>[] = [
  {
    header: "Agent",
    primary: true,
    cell: (p) => (
      <>
        <span className="mono">{p.agent_id}</span>
        {p.policy.role ? <span className="muted"> · {p.policy.role}</span> : null}
      </>
    ),
  },
  {
    header: "May call",
    cell: (p) =>
      p.policy.permissions.length === 0 ? (
        <span className="muted">no tool: every tool call is a violation</span>
      ) : (
        <ul className="plain-list">
          {p.policy.permissions.map((t) => (
            <li key={t.tool_name}>
              <span className="mono">{t.tool_name}</span>: {t.allowed_actions.join(", ") || "no action"} on{" "}
              <span className="log-text">{shownScope(t.resource_scope)}</span>
              <span className="muted">
                {" "}
                · {t.rate_limit}/min · {t.max_data_rows} rows{t.requires_approval ? " · approval" : ""}
              </span>
            </li>
          ))}
        </ul>
      ),
  },
  {
    header: "Limits",
    cell: (p) => (
      <div>
        sessions ≤ {p.policy.max_session_duration_seconds} s, ≤ {p.policy.max_tool_calls_per_session} tool calls
        <br />
        {p.policy.allowed_ip_ranges.length > 0 ? `from ${p.policy.allowed_ip_ranges.join(", ")}` : "from any address"}
      </div>
    ),
  },
  {
    header: "Version",
    cell: (p) => (
      <div>
        {p.version} <span className="muted">by</span> <span className="mono">{p.updated_by}</span>
        <br />
        <span className="muted">{formatUtc(p.updated_at)}</span>
      </div>
    ),
  },
];

/** Who may call what: each agent's policy in a row, and the agents without one named as such. */
export function FleetPolicies({ fleet }: { fleet: FleetPoliciesView }) {
  const more = fleet.without_policy_total - fleet.without_policy.length;
  return (
    <>
      <DataTable
        label="Agent policies"
        columns={columns}
        rows={fleet.policies}
        rowKey={(p) => p.agent_id}
        empty="No agent has a policy yet: set one on an agent's page."
      />
      <p className="subtitle without-policy">
        {fleet.without_policy_total === 0 ? (
          "Every agent has a policy."
        ) : (
          <>
            Without a policy ({fleet.without_policy_total}; their tool calls are not judged against one):{" "}
            {fleet.without_policy.map((id, i) => (
              <span key={id}>
                {i > 0 ? ", " : ""}
                <Link className="mono" href={`/agents/${encodeURIComponent(id)}`}>
                  {id}
                </Link>
              </span>
            ))}
            {more > 0 ? ` and ${more} more` : ""}
          </>
        )}
      </p>
    </>
  );
}
