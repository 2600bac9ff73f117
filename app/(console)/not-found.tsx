import Link from "next/link";

/** Inside the console (its menu stays): an address that names nothing, such as an incident that does not exist. */
export default function ConsoleNotFound() {
  return (
    <div className="panel not-found">
      <h1>Not found</h1>
      <p className="subtitle">Nothing here has that name. It may have been mistyped, or it was never created.</p>
      <p>
        <Link href="/">Dashboard</Link> · <Link href="/alerts">Alerts</Link> · <Link href="/incidents">Incidents</Link>
      </p>
    </div>
  );
}
