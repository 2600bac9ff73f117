import type { Metadata } from "next";
import { connection } from "next/server";

export const metadata: Metadata = { title: "Not found" };

/**
 * Rendered per request (connection()), not prerendered: a prerendered page's scripts carry no CSP
 * nonce, so the console's own policy would block them and the page would log errors.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="panel not-found">
      <h1>Not found</h1>
      <p className="subtitle">There is no page at this address.</p>
      <p>
        <a href="/">Go to the console</a>
      </p>
    </main>
  );
}
