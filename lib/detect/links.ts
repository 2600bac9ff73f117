/** The session page, scrolled to the event the alert points at. */
export function alertSessionLink(alert: { session_id: string | null; first_event_id: string | null }): string | null {
  if (!alert.session_id) return null;
  const anchor = alert.first_event_id ? `#event-${alert.first_event_id}` : "";
  return `/sessions/${encodeURIComponent(alert.session_id)}${anchor}`;
}

/** The alert on the Alerts page, highlighted. */
export function alertPageLink(alertId: number): string {
  return `/alerts?status=&alert=${alertId}#alert-${alertId}`;
}
