import type { Metadata } from "next";
import { appDb } from "@/db/client";
import { listEvents, parseEventFilters } from "@/db/queries/events";
import { EventsExplorer, type RawFilters } from "@/components/events-explorer";
import { searchProblem } from "@/lib/http/respond";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Events" };

const FILTER_KEYS = ["agent_id", "session_id", "action_type", "tool_name", "since", "until"] as const;

export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const params = await searchParams;
  const raw: RawFilters = {};
  for (const key of FILTER_KEYS) {
    const value = params[key];
    if (typeof value === "string" && value !== "") raw[key] = value;
  }

  let problem: string | null = null;
  let firstPage = null;
  try {
    firstPage = await listEvents(appDb(), parseEventFilters({ ...raw, limit: "100" }));
  } catch (err) {
    problem = searchProblem(err);
    if (problem === null) throw err;
  }

  return (
    <>
      <h1>Events</h1>
      <p className="subtitle">Every action agents reported, newest first. Content is shown as stored: redacted.</p>
      <EventsExplorer filters={raw} initialPage={firstPage} problem={problem} />
    </>
  );
}
