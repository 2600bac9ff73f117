import type { Metadata } from "next";
import { AuditVerify } from "@/components/audit-verify";
import { Forbidden } from "@/components/forbidden";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { TimeRange } from "@/components/ui/time-range";
import { appDb } from "@/db/client";
import { type AuditView, listAudit, parseAuditFilters, readAuditChainHead } from "@/db/queries/audit";
import { roleAtLeast } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/format";
import { searchProblem } from "@/lib/http/respond";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

const FILTERS = ["actor", "action", "target_type", "target_id", "range", "since", "until", "before_id"] as const;

function change(entry: AuditView): string {
  const parts = [entry.before ? `before ${JSON.stringify(entry.before)}` : "", entry.after ? `after ${JSON.stringify(entry.after)}` : ""];
  return parts.filter(Boolean).join(" → ");
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await requireUser();
  if (!roleAtLeast(me.role, "analyst")) return <Forbidden role={me.role} need="analyst" what="read the audit log" />;
  const params = await searchParams;
  const raw: Record<string, string> = {};
  for (const key of FILTERS) {
    const value = params[key];
    if (typeof value === "string" && value) raw[key] = value;
  }
  let page: Awaited<ReturnType<typeof listAudit>> | null = null;
  let problem: string | null = null;
  try {
    page = await listAudit(appDb(), parseAuditFilters(raw));
  } catch (err) {
    problem = searchProblem(err);
    if (problem === null) throw err;
  }
  const head = await readAuditChainHead(appDb());
  const older = page?.next_before_id ? new URLSearchParams({ ...raw, before_id: String(page.next_before_id) }) : null;

  return (
    <>
      <h1>Audit log</h1>
      <p className="subtitle">Every change, by whom, from where. Rows are hash-chained: altering or deleting one breaks the chain.</p>
      {head && (
        <section className="panel" aria-label="Audit chain head">
          Newest row <span className="mono">#{head.id}</span>, written {formatUtc(head.at)}, hash <span className="mono">{head.hash}</span>. The chain only
          grows and a row&apos;s hash never changes: /metrics exports this head (agentsoc_audit_chain_length, agentsoc_audit_chain_head_info) so that a system
          outside the console notices rows cut from its end.
        </section>
      )}
      {roleAtLeast(me.role, "admin") && <AuditVerify />}
      <search aria-label="Filter audit log">
        <form className="panel filters" method="get" action="/audit">
          <label>
            Actor
            <input name="actor" defaultValue={raw.actor} placeholder="user:jane@example.com" />
          </label>
          <label>
            Action
            <input name="action" defaultValue={raw.action} placeholder="auth.sign_in_failed" />
          </label>
          <label>
            Target type
            <input name="target_type" defaultValue={raw.target_type} placeholder="agent" />
          </label>
          <label>
            Target
            <input name="target_id" defaultValue={raw.target_id} />
          </label>
          <TimeRange value={raw} allowCustom allLabel="All time" />
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <a href="/audit">Clear</a>
        </form>
      </search>
      {problem && <Notice kind="error">{problem}</Notice>}
      <div className="panel">
        {page && page.entries.length > 0 ? (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: on a phone the table scrolls sideways, and a scrolling region needs the focus to scroll by keyboard
          <table aria-label="Audit log" tabIndex={0}>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Reason / change</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr key={e.id}>
                  <td className="num mono">{e.id}</td>
                  <td className="time">{formatUtc(e.at)}</td>
                  <td className="mono">{e.actor}</td>
                  <td className="mono">{e.action}</td>
                  <td className="mono">
                    {e.target_type}: {e.target_id}
                  </td>
                  <td className="content-cell">
                    {e.reason && <p className="log-text">{e.reason}</p>}
                    {change(e) && <p className="log-text">{change(e)}</p>}
                  </td>
                  <td className="time">
                    {e.source_ip ?? "—"}
                    <br />
                    {e.request_id?.slice(0, 8)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="empty">No audit entries match.</p>
        )}
      </div>
      {older && (
        <div className="toolbar">
          <a href={`/audit?${older}`}>Older entries →</a>
        </div>
      )}
    </>
  );
}
