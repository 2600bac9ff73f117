import type { ReactNode } from "react";
import type { SessionView } from "@/lib/auth/views";
import { Badge } from "./ui/badge";
import { DataTable } from "./ui/data-table";
import { Time } from "./ui/time";

/** Browser sessions, one row each (a card on a phone); the caller gives each row its buttons. */
export function SessionsTable({
  label,
  sessions,
  actions,
  currentLabel,
  empty,
}: {
  label: string;
  sessions: SessionView[];
  actions: (session: SessionView) => ReactNode;
  /** How the session making the request is marked, e.g. "this browser". */
  currentLabel: string;
  empty: ReactNode;
}) {
  return (
    <DataTable
      label={label}
      rows={sessions}
      rowKey={(s) => s.id}
      empty={empty}
      columns={[
        {
          header: "Device",
          primary: true,
          cell: (s) => (
            <>
              {s.device} {s.current && <Badge tone="alive">{currentLabel}</Badge>}
            </>
          ),
        },
        { header: "Address", cell: (s) => s.address ?? <span className="muted">unknown</span>, className: "mono" },
        { header: "Started", cell: (s) => <Time iso={s.started_at} />, className: "time" },
        { header: "Last seen", cell: (s) => <Time iso={s.last_seen_at} />, className: "time" },
        { header: "Ends by", cell: (s) => <Time iso={s.expires_at} />, className: "time" },
        { header: "Actions", cell: (s) => <div className="actions">{actions(s)}</div> },
      ]}
    />
  );
}
