import { createHash } from "node:crypto";
import type { AlertView } from "@/db/queries/detection";
import type { Severity } from "@/lib/detect/types";
import type { EventView } from "@/lib/ingest/views";

export interface FindingRecordSource {
  eventId: string;
  type: string;
  severity: Severity;
  detail: string;
  alertId: number;
  eventAt: Date;
}

export const eventRecord = (e: EventView) => ({ record: "event" as const, ...e });

export const findingRecord = (f: FindingRecordSource) => ({
  record: "finding" as const,
  event_id: f.eventId,
  type: f.type,
  severity: f.severity,
  detail: f.detail,
  alert_id: f.alertId,
  event_at: f.eventAt.toISOString(),
});

export const alertRecord = (a: AlertView) => ({ record: "alert" as const, ...a });

/** NDJSON as the snapshot stores it: UTF-8, one JSON object per line, each line ending in \n, hashed as it grows. */
export class NdjsonWriter {
  private readonly chunks: Buffer[] = [];
  private readonly hash = createHash("sha256");
  bytes = 0;
  lines = 0;

  add(records: readonly object[]): void {
    if (records.length === 0) return;
    const chunk = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(""), "utf8");
    this.chunks.push(chunk);
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.lines += records.length;
  }

  finish(): { ndjson: Buffer; sha256: string } {
    return { ndjson: Buffer.concat(this.chunks, this.bytes), sha256: this.hash.digest("hex") };
  }
}
