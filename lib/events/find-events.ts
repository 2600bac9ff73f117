import type { Queryable } from "@/db/client";
import { listEvents, readRetentionFloor } from "@/db/queries/events";
import { env } from "@/lib/env";
import { resolveEventQuery } from "./filters";
import type { EventPage } from "./views";

/** Events are kept for SOC_RETENTION_DAYS, and never fewer days than the floor the owner set. */
export async function retentionDaysOf(db: Queryable): Promise<number> {
  return Math.max(env().SOC_RETENTION_DAYS, await readRetentionFloor(db));
}

/** One page of the events list for a URL's query: filters, range and text search, newest first. */
export async function findEvents(db: Queryable, params: URLSearchParams | Record<string, string | undefined>, nowMs = Date.now()): Promise<EventPage> {
  const { filters, window } = resolveEventQuery(params, nowMs, await retentionDaysOf(db));
  return { ...(await listEvents(db, filters)), window };
}
