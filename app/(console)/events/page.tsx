import type { Metadata } from "next";
import { EventsExplorer } from "@/components/events-explorer";
import { appDb } from "@/db/client";
import { roleAtLeast } from "@/lib/auth/roles";
import { findEvents } from "@/lib/events/find-events";
import { EVENT_FILTER_KEYS, type EventPage, type RawEventFilters } from "@/lib/events/views";
import { searchProblem } from "@/lib/http/respond";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Events" };

export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const params = await searchParams;
  const raw: RawEventFilters = {};
  for (const key of EVENT_FILTER_KEYS) {
    const value = params[key];
    if (typeof value === "string" && value !== "") raw[key] = value;
  }

  let problem: string | null = null;
  let firstPage: EventPage | null = null;
  try {
    firstPage = await findEvents(appDb(), { ...raw, limit: "100" });
  } catch (err) {
    problem = searchProblem(err);
    if (problem === null) throw err;
  }

  return (
    <>
      <h1>Events</h1>
      <p className="subtitle">Every action agents reported, newest first, with what detection found in each. Content is shown as stored: redacted.</p>
      <EventsExplorer filters={raw} initialPage={firstPage} problem={problem} canExport={roleAtLeast(user.role, "analyst")} />
    </>
  );
}
