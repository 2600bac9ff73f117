"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useState } from "react";
import { alertPageLink } from "@/lib/detect/links";
import { formatUtc } from "@/lib/format";
import type { DeliveryView, DestinationView } from "@/lib/notify/views";
import { type DeliveryFilters, type DeliveryPage, notificationQueries } from "../queries";

type Page = DeliveryPage;
type Filters = DeliveryFilters;

const STATUS_BADGE: Record<DeliveryView["status"], string> = { pending: "badge sev-medium", delivered: "badge alive", failed: "badge sev-high" };

/** Recent deliveries, newest first, each attempt a click away; refreshed every 5 s. */
export function NotificationDeliveries({ initial, destinations }: { initial: Page; destinations: DestinationView[] }) {
  const [filters, setFilters] = useState<Filters>({ destination_id: "", status: "", before_id: null });
  const [open, setOpen] = useState<Set<number>>(new Set());
  const unfiltered = !filters.destination_id && !filters.status && filters.before_id === null;
  const query = useQuery({
    ...notificationQueries.deliveries(filters),
    initialData: unfiltered ? initial : undefined,
    refetchInterval: 5_000,
  });
  const toggle = (id: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section className="panel" style={{ marginTop: 16 }} aria-labelledby="deliveries-title">
      <h2 id="deliveries-title" style={{ margin: "12px 16px", fontSize: 15 }}>
        Deliveries
      </h2>
      <search className="filters" aria-label="Filter deliveries">
        <label>
          Destination
          <select value={filters.destination_id} onChange={(e) => setFilters({ ...filters, destination_id: e.target.value, before_id: null })}>
            <option value="">any</option>
            {destinations.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.target.value, before_id: null })}>
            <option value="">any</option>
            <option value="pending">pending</option>
            <option value="delivered">delivered</option>
            <option value="failed">failed</option>
          </select>
        </label>
        {filters.before_id !== null && (
          <button type="button" onClick={() => setFilters({ ...filters, before_id: null })}>
            Newest
          </button>
        )}
        <span className="live">{query.isError ? "reconnecting…" : query.isFetching ? "updating…" : "live"}</span>
      </search>
      {!query.data ? (
        <p className="empty">Loading…</p>
      ) : query.data.deliveries.length === 0 ? (
        <p className="empty">No deliveries{unfiltered ? " yet" : " match these filters"}.</p>
      ) : (
        <table aria-label="Notification deliveries">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Destination</th>
              <th scope="col">Alert</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Delivered</th>
            </tr>
          </thead>
          <tbody>
            {query.data.deliveries.map((d) => (
              <Fragment key={d.id}>
                <tr>
                  <td className="mono">{d.id}</td>
                  <td>{d.destination_name}</td>
                  <td>{d.alert_id === null ? "test" : <Link href={alertPageLink(d.alert_id)}>alert #{d.alert_id}</Link>}</td>
                  <td>
                    <span className={STATUS_BADGE[d.status]}>{d.status}</span>
                  </td>
                  <td>
                    {d.attempt_log.length === 0 ? (
                      d.attempts
                    ) : (
                      <button
                        type="button"
                        onClick={() => toggle(d.id)}
                        aria-expanded={open.has(d.id)}
                        aria-controls={`attempts-${d.id}`}
                        aria-label={`${open.has(d.id) ? "Hide" : "Show"} the ${d.attempts} attempts of delivery ${d.id}`}
                      >
                        {d.attempts} {open.has(d.id) ? "▾" : "▸"}
                      </button>
                    )}
                  </td>
                  <td className="mono">{d.last_error ?? "—"}</td>
                  <td className="time">{d.next_attempt_at ? formatUtc(d.next_attempt_at) : "—"}</td>
                  <td className="time">{d.delivered_at ? formatUtc(d.delivered_at) : "—"}</td>
                </tr>
                {open.has(d.id) && (
                  <tr id={`attempts-${d.id}`}>
                    <td />
                    <td colSpan={7}>
                      <table aria-label={`Attempts of delivery ${d.id}`}>
                        <thead>
                          <tr>
                            <th scope="col">Attempt</th>
                            <th scope="col">At</th>
                            <th scope="col">Answer</th>
                            <th scope="col">Took</th>
                          </tr>
                        </thead>
                        <tbody>
                          {d.attempt_log.map((a) => (
                            <tr key={`${a.attempt}-${a.at}`}>
                              <td>{a.attempt}</td>
                              <td className="time">{formatUtc(a.at)}</td>
                              <td className="mono">{a.error ?? (a.status_code === null ? "—" : `HTTP ${a.status_code}`)}</td>
                              <td>{a.duration_ms} ms</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {query.data?.next_before_id != null && (
        <div className="toolbar" style={{ padding: "10px 16px" }}>
          <span>Showing the newest {query.data.deliveries.length}</span>
          <button type="button" onClick={() => setFilters({ ...filters, before_id: query.data?.next_before_id ?? null })}>
            Older
          </button>
        </div>
      )}
    </section>
  );
}
