import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { AppError } from "@/lib/errors";
import { isObject, mediaType } from "@/lib/ingest/parse-body";
import { exportFromMessage, type OtlpExport } from "./export-model";
import { ExportTraceServiceRequestSchema } from "./proto/gen/otlp_trace_pb";
import { readExportProtobuf } from "./read-protobuf";

export type OtlpEncoding = "protobuf" | "json";

/** Nesting of AnyValue arrays and kvlists beyond this is refused as a bad body, not walked. */
const RECURSION_LIMIT = 64;

/** The OTLP/HTTP encoding a Content-Type names, or null for one OTLP does not define. */
export function otlpEncoding(contentType: string | null): OtlpEncoding | null {
  const type = mediaType(contentType);
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  return null;
}

export function requireOtlpEncoding(contentType: string | null): OtlpEncoding {
  const encoding = otlpEncoding(contentType);
  if (encoding) return encoding;
  const type = mediaType(contentType);
  throw new AppError(
    "UNSUPPORTED_MEDIA_TYPE",
    `Content-Type must be application/x-protobuf or application/json (OTLP/HTTP), got ${type ? `"${type}"` : "none"}`,
  );
}

/** Decodes an OTLP/HTTP trace export body; a body that is not one is a 400 that says why. */
export function decodeExportRequest(body: Buffer, encoding: OtlpEncoding): OtlpExport {
  if (encoding === "protobuf") {
    try {
      return readExportProtobuf(body, RECURSION_LIMIT);
    } catch (err) {
      throw new AppError("VALIDATION", `Body is not a protobuf ExportTraceServiceRequest: ${reason(err)}`);
    }
  }
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new AppError("VALIDATION", `Body is not valid JSON: ${reason(err)}`);
  }
  if (!isObject(parsed)) throw new AppError("VALIDATION", "Body must be a JSON ExportTraceServiceRequest object");
  hexIdsToBase64(parsed);
  try {
    return exportFromMessage(fromJson(ExportTraceServiceRequestSchema, parsed, { ignoreUnknownFields: true, recursionLimit: RECURSION_LIMIT }));
  } catch (err) {
    throw new AppError("VALIDATION", `Body is not an OTLP JSON ExportTraceServiceRequest: ${reason(err)}`);
  }
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const ID_FIELDS = [
  ["traceId", "trace_id"],
  ["spanId", "span_id"],
  ["parentSpanId", "parent_span_id"],
] as const;

/**
 * OTLP/JSON writes trace and span ids as hex, where protobuf's JSON mapping expects base64 for bytes:
 * rewrite them in place so the standard JSON decoder reads the rest. Either spelling of a key is
 * accepted, as protobuf JSON parsers do.
 */
function hexIdsToBase64(request: Record<string, unknown>): void {
  for (const [r, resourceSpans] of listAt(request, "resourceSpans", "resource_spans").entries()) {
    for (const [s, scopeSpans] of listAt(resourceSpans, "scopeSpans", "scope_spans").entries()) {
      for (const [i, span] of listAt(scopeSpans, "spans", "spans").entries()) {
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        rewriteIds(span, where);
        for (const [l, link] of listAt(span, "links", "links").entries()) rewriteIds(link, `${where}.links[${l}]`);
      }
    }
  }
}

function listAt(value: unknown, camel: string, snake: string): unknown[] {
  if (!isObject(value)) return [];
  const list = value[camel] ?? value[snake];
  return Array.isArray(list) ? list : [];
}

function rewriteIds(value: unknown, where: string): void {
  if (!isObject(value)) return;
  for (const keys of ID_FIELDS) {
    for (const key of keys) {
      const id = value[key];
      if (typeof id !== "string") continue;
      if (!HEX.test(id)) throw new AppError("VALIDATION", `${where}.${keys[0]}: expected a hex string (OTLP/JSON ids are hex, not base64)`);
      value[key] = Buffer.from(id, "hex").toString("base64");
    }
  }
}
