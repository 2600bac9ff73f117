import { gunzipSync } from "node:zlib";
import { AppError } from "@/lib/errors";

export type BodyRecord =
  | {
      index: number;
      value: unknown;
      /**
       * Metadata the console derived itself for this record, not the sender's text (the ids the OTLP
       * door renders from a span's bytes): added to the stored metadata after validation and redaction.
       */
      consoleMetadata?: Record<string, unknown>;
    }
  | { index: number; parseError: string };

export interface BodyLimits {
  maxBytes: number;
  maxEvents: number;
}

const JSON_TYPES = new Set(["application/json", "text/json"]);
const NDJSON_TYPES = new Set(["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"]);

export function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Rejects what cannot be an ingest body before the body is read. */
export function checkIngestHeaders(contentType: string | null, contentEncoding: string | null): void {
  const type = mediaType(contentType);
  if (!JSON_TYPES.has(type) && !NDJSON_TYPES.has(type)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", `Content-Type must be application/json or application/x-ndjson, got ${type ? `"${type}"` : "none"}`);
  }
  checkContentEncoding(contentEncoding);
}

export function checkContentEncoding(contentEncoding: string | null): void {
  const encoding = (contentEncoding ?? "identity").trim().toLowerCase();
  if (!["identity", "gzip", "x-gzip", ""].includes(encoding)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", `Content-Encoding must be gzip or absent, got "${encoding}"`);
  }
}

export function decodeBody(raw: Buffer, contentEncoding: string | null, limits: BodyLimits): string {
  return inflateBody(raw, contentEncoding, limits).toString("utf8");
}

/** The body's bytes, gunzipped when it says so, never past the byte limit. */
export function inflateBody(raw: Buffer, contentEncoding: string | null, limits: BodyLimits): Buffer {
  const encoding = (contentEncoding ?? "").trim().toLowerCase();
  if (encoding !== "gzip" && encoding !== "x-gzip") return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: limits.maxBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw tooLarge(limits);
    }
    throw new AppError("VALIDATION", "Body is not valid gzip data");
  }
}

export function tooLarge(limits: BodyLimits): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `Body exceeds the ingest limit of ${limits.maxBytes} bytes (after decompression) or ${limits.maxEvents} events; split it into smaller batches`,
    { details: { max_bytes: limits.maxBytes, max_events: limits.maxEvents } },
  );
}

/**
 * Splits a body into records. A JSON body that does not parse is one bad request (400);
 * an NDJSON line that does not parse is one bad record, so the lines around it are kept.
 */
export function parseIngestBody(text: string, contentType: string | null, limits: BodyLimits): BodyRecord[] {
  const records = NDJSON_TYPES.has(mediaType(contentType)) ? parseNdjson(text) : parseJsonBody(text);
  if (records.length > limits.maxEvents) throw tooLarge(limits);
  if (records.length === 0) throw new AppError("VALIDATION", "Body holds no events");
  return records;
}

function parseJsonBody(text: string): BodyRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AppError("VALIDATION", `Body is not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : isObject(parsed) && Array.isArray(parsed.events) ? parsed.events : null;
  if (list === null) {
    throw new AppError("VALIDATION", 'Body must be a JSON array of events or an object {"events": [...]}');
  }
  return list.map((value, index) => ({ index, value }));
}

function parseNdjson(text: string): BodyRecord[] {
  const records: BodyRecord[] = [];
  const lines = text.split("\n");
  for (let lineNo = 0; lineNo < lines.length; lineNo++) {
    const line = lines[lineNo]?.trim() ?? "";
    if (line === "") continue;
    const index = records.length;
    try {
      records.push({ index, value: JSON.parse(line) });
    } catch (err) {
      records.push({ index, parseError: `line ${lineNo + 1} is not valid JSON: ${(err as Error).message}` });
    }
  }
  return records;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
