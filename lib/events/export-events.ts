import { z } from "zod";
import { listEvents } from "@/db/queries/events";
import { recordAudit } from "@/lib/audit";
import { authorize } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { csvHeader, EXPORT_CONTENT_TYPES, EXPORT_FORMATS, eventCsvRow, eventNdjsonLine } from "./export-format";
import { eventQuerySchema, parseEventQuery, resolveEventQuery } from "./filters";
import { retentionDaysOf } from "./find-events";

/** The most events one export holds, newest first; narrow the filters or the range for older ones. */
export const EXPORT_MAX_EVENTS = 100_000;
const EXPORT_PAGE = 1000;

export const eventExportQuerySchema = eventQuerySchema.omit({ limit: true, cursor: true }).extend({
  format: z.enum(EXPORT_FORMATS).default("ndjson").meta({ description: "ndjson (one event per line, as the list answers) or csv" }),
});

export interface EventExport {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

/**
 * The filtered events as a download (analyst+), streamed a page at a time so an export of many events
 * never sits in memory. The export is audited before the first byte, with the filters and window it
 * covers: who took a copy of which events.
 */
export async function exportEvents({ ctx, input }: { ctx: Ctx; input: { params: URLSearchParams; nowMs?: number } }): Promise<EventExport> {
  authorize(ctx, "analyst", "export events");
  const nowMs = input.nowMs ?? Date.now();
  const raw = Object.fromEntries([...input.params].filter(([, v]) => v !== ""));
  const { format, ...query } = parseEventQuery(eventExportQuerySchema, raw);
  const { format: _format, ...filterParams } = raw;
  const { filters, window } = resolveEventQuery({ ...filterParams, limit: String(EXPORT_PAGE) }, nowMs, await retentionDaysOf(ctx.db));
  const stamp = new Date(nowMs)
    .toISOString()
    .replaceAll(":", "")
    .replace(/\.\d+Z$/, "Z");
  const filename = `events-${stamp}.${format}`;

  await ctx.db.transaction((tx) =>
    recordAudit(tx, ctx, {
      action: "events.export",
      targetType: "events",
      targetId: filename,
      after: {
        format,
        filters: query,
        since: filters.since?.toISOString() ?? null,
        until: filters.until?.toISOString() ?? null,
        window,
        max_events: EXPORT_MAX_EVENTS,
      },
    }),
  );

  const encoder = new TextEncoder();
  const line = format === "csv" ? eventCsvRow : eventNdjsonLine;
  let cursor: string | undefined;
  let sent = 0;
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started && format === "csv") controller.enqueue(encoder.encode(csvHeader()));
      started = true;
      const page = await listEvents(ctx.db, { ...filters, cursor, limit: Math.min(EXPORT_PAGE, EXPORT_MAX_EVENTS - sent) });
      if (page.events.length > 0) controller.enqueue(encoder.encode(page.events.map(line).join("")));
      sent += page.events.length;
      cursor = page.next_cursor ?? undefined;
      if (!cursor || sent >= EXPORT_MAX_EVENTS) controller.close();
    },
  });
  return { filename, contentType: EXPORT_CONTENT_TYPES[format], body };
}

export function exportHeaders(file: EventExport): Record<string, string> {
  return {
    "content-type": file.contentType,
    "content-disposition": `attachment; filename="${file.filename}"`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  };
}
