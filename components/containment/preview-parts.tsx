"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import {
  dependentLine,
  dependentsLine,
  dependsOnLine,
  formatUntil,
  headline,
  rotationLine,
  rotationsLine,
  sessionsLine,
  tokensLine,
} from "@/lib/containment/describe";
import type { Containment, ContainmentGrant } from "@/lib/containment/schemas";
import { formatAgo, formatCost, formatCount } from "@/lib/format";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { DataTable } from "../ui/data-table";
import { Time } from "../ui/time";

/** The clock the relative times count from: the computation's, then the reader's, ticking. */
function useNow(from: string): number {
  const [now, setNow] = useState(() => Date.parse(from));
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function PreviewBody({ containment: c, refreshing, onRefresh }: { containment: Containment; refreshing: boolean; onRefresh: () => void }) {
  const now = useNow(c.computed_at);
  const already = headline(c);
  const hours = c.windows.requests_hours;
  return (
    <div className="kill-preview-body">
      <p className="kill-preview-meta muted">
        Computed <Time iso={c.computed_at} /> ·{" "}
        <Button onClick={onRefresh} busy={refreshing} busyLabel="Computing…">
          Compute again
        </Button>
      </p>
      {already && (
        <p className="kill-preview-already" role="status">
          <Badge tone="killed">KILLED</Badge> {already}
        </p>
      )}

      <h3>Sessions in flight ({formatCount(c.sessions_in_flight_total)})</h3>
      <p>{sessionsLine(c)}</p>
      {c.sessions_in_flight.length > 0 && (
        <DataTable
          label="Sessions in flight"
          rows={c.sessions_in_flight}
          rowKey={(s) => s.session_id}
          empty={null}
          columns={[
            {
              header: "Session",
              primary: true,
              cell: (s) => (
                <Link className="mono wrap-anywhere" href={`/sessions/${encodeURIComponent(s.session_id)}?agent=${encodeURIComponent(c.agent_id)}`}>
                  {s.session_id}
                </Link>
              ),
            },
            { header: "Last event", cell: (s) => formatAgo(s.last_event_at, now) },
            { header: "Events", className: "num", cell: (s) => formatCount(s.events) },
            { header: "Tool calls", className: "num", cell: (s) => formatCount(s.tool_calls) },
            { header: "Cost", className: "num", cell: (s) => formatCost(s.cost_usd) },
          ]}
        />
      )}

      <h3>Tool tokens ({formatCount(c.tool_tokens.live)} live)</h3>
      <p className={c.tool_tokens.live > 0 ? "kill-preview-warn" : undefined}>{tokensLine(c, now)}</p>
      {c.tool_tokens.tokens.length > 0 && (
        <DataTable
          label="Live tool tokens"
          rows={c.tool_tokens.tokens}
          rowKey={(t) => t.jti}
          empty={null}
          columns={[
            { header: "Tools", primary: true, cell: (t) => <span className="mono wrap-anywhere">{t.tools.join(", ")}</span> },
            { header: "Permissions", cell: (t) => t.permissions.join(", ") },
            {
              header: "Expires",
              cell: (t) => (
                <span>
                  <Time iso={t.expires_at} /> ({formatUntil(t.expires_at, now)})
                </span>
              ),
            },
          ]}
        />
      )}

      <h3>Agents that depend on it ({formatCount(c.dependents.length)})</h3>
      <p>{dependentsLine(c)}</p>
      <GrantList grants={c.dependents} label="Agents that depend on it" peer="source" hours={hours} now={now} />

      <h3>Agents it depends on ({formatCount(c.depends_on.length)})</h3>
      <p>{dependsOnLine(c)}</p>
      <GrantList grants={c.depends_on} label="Agents it depends on" peer="target" hours={hours} now={now} />

      <h3>Credential rotations</h3>
      <p>{rotationsLine(c)}</p>
      {c.rotations && c.rotations.length > 0 && (
        <ul className="kill-preview-list" aria-label="Credential rotations">
          {c.rotations.map((r) => (
            <li key={r.credential_id}>
              <span className="wrap-anywhere">{r.name}</span> <span className="muted">({r.kind})</span>: {rotationLine(r, now)}
              {r.last_run_id && (
                <>
                  {" "}
                  · <Link href={`/rotations/${encodeURIComponent(r.last_run_id)}`}>run</Link>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function GrantList({ grants, label, peer, hours, now }: { grants: ContainmentGrant[]; label: string; peer: "source" | "target"; hours: number; now: number }) {
  if (grants.length === 0) return null;
  return (
    <ul className="kill-preview-list" aria-label={label}>
      {grants.map((g) => {
        const other = peer === "source" ? g.source_agent : g.target_agent;
        return (
          <li key={g.grant_id} className={peer === "source" && !g.expired && g.requests_24h > 0 ? "kill-preview-warn" : undefined}>
            {peer === "source" ? (
              dependentLine(g, hours)
            ) : (
              <>
                <span className="wrap-anywhere">{other}</span>: {formatCount(g.requests_24h)} {g.requests_24h === 1 ? "request" : "requests"} in {hours} h
                {g.expired && " (grant expired)"}
              </>
            )}{" "}
            <span className="muted">
              actions <span className="mono wrap-anywhere">{g.allowed_actions.join(", ")}</span>
              {g.last_request_at && <> · last request {formatAgo(g.last_request_at, now)}</>} ·{" "}
              <Link href={`/agents/${encodeURIComponent(other)}`}>{peer === "source" ? "open the dependent" : "open it"}</Link>
            </span>
          </li>
        );
      })}
    </ul>
  );
}
