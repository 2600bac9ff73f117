import { type AttrValue, attributeMap } from "./attributes";
import type { ExportTraceServiceRequest, Span } from "./proto/gen/otlp_trace_pb";

/**
 * An OTLP trace export as the mapping reads it: only the fields it uses, attribute values already
 * plain JSON (by key, the last of duplicated keys winning, as in the SDKs). The protobuf reader
 * builds it straight from the wire; JSON bodies and tests convert the generated messages with
 * `exportFromMessage`.
 */
export interface OtlpExport {
  resourceSpans: OtlpResourceSpans[];
}

export interface OtlpResourceSpans {
  resourceAttributes: Map<string, AttrValue>;
  scopeSpans: OtlpScopeSpans[];
}

export interface OtlpScopeSpans {
  scope: { name: string; version: string } | undefined;
  spans: OtlpSpan[];
}

export interface OtlpSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Map<string, AttrValue>;
  droppedAttributesCount: number;
  events: OtlpSpanEvent[];
  droppedEventsCount: number;
  links: OtlpLink[];
  droppedLinksCount: number;
  status: { code: number; message: string } | undefined;
}

export interface OtlpSpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Map<string, AttrValue>;
}

export interface OtlpLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
}

/** The mapping's view of a decoded generated message (JSON bodies; tests that build requests with `create`). */
export function exportFromMessage(request: ExportTraceServiceRequest): OtlpExport {
  return {
    resourceSpans: request.resourceSpans.map((rs) => ({
      resourceAttributes: attributeMap(rs.resource?.attributes ?? []),
      scopeSpans: rs.scopeSpans.map((ss) => ({
        scope: ss.scope ? { name: ss.scope.name, version: ss.scope.version } : undefined,
        spans: ss.spans.map(spanFromMessage),
      })),
    })),
  };
}

function spanFromMessage(span: Span): OtlpSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes: attributeMap(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((e) => ({ timeUnixNano: e.timeUnixNano, name: e.name, attributes: attributeMap(e.attributes) })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
    droppedLinksCount: span.droppedLinksCount,
    status: span.status ? { code: span.status.code, message: span.status.message } : undefined,
  };
}
