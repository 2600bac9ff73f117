"use client";

import { useQuery } from "@tanstack/react-query";
import { formatUntil, timeOfDayUtc } from "@/lib/containment/describe";
import { formatCount } from "@/lib/format";
import type { ToolTokenView } from "@/lib/tool-tokens/schemas";
import { toolTokenQueries } from "../queries";
import { Badge } from "../ui/badge";
import { DataTable } from "../ui/data-table";
import { Notice } from "../ui/notice";
import { Time } from "../ui/time";

function State({ token, now }: { token: ToolTokenView; now: number }) {
  if (token.state === "revoked")
    return (
      <Badge tone="killed" title={token.revoke_reason ?? undefined}>
        revoked{token.revoked_by ? ` by ${token.revoked_by}` : ""}
      </Badge>
    );
  if (token.state === "expired") return <Badge>expired</Badge>;
  return <Badge tone="alive">live, expires {formatUntil(token.expires_at, now)}</Badge>;
}

/** The short-lived tool tokens an agent holds, and its latest expired and revoked ones, marked. */
export function ToolTokensList({ agentId }: { agentId: string }) {
  const tokens = useQuery({ ...toolTokenQueries.ofAgent(agentId), refetchInterval: 30_000 });
  if (tokens.error && !tokens.data) return <Notice kind="error">Could not read the agent's tool tokens: {tokens.error.message}</Notice>;
  if (!tokens.data) return <p className="muted">Reading tool tokens…</p>;
  const now = tokens.dataUpdatedAt || Date.now();
  const { live, last_expires_at: last } = tokens.data;
  return (
    <div className="panel tool-tokens">
      <p className="tool-tokens-summary">
        {live === 0 || !last
          ? "No live tool token."
          : `${formatCount(live)} live ${live === 1 ? "token" : "tokens"}; the last expires ${timeOfDayUtc(last)} (${formatUntil(last, now)}).`}
      </p>
      <DataTable
        label="Tool tokens"
        rows={tokens.data.tokens}
        rowKey={(t) => t.jti}
        empty="No tool token was issued to this agent."
        rowProps={(t) => ({ className: t.state === "live" ? undefined : "token-inactive" })}
        columns={[
          { header: "Tools", primary: true, cell: (t) => <span className="mono wrap-anywhere">{t.tools.join(", ")}</span> },
          { header: "Permissions", cell: (t) => t.permissions.join(", ") },
          { header: "Issued", cell: (t) => <Time iso={t.issued_at} /> },
          { header: "Expires", cell: (t) => <Time iso={t.expires_at} /> },
          { header: "State", cell: (t) => <State token={t} now={now} /> },
        ]}
      />
    </div>
  );
}
