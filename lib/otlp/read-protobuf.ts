import type { DescMessage } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { type AttrValue, setOwn, TOO_DEEP } from "./attributes";
import type { OtlpExport, OtlpLink, OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpSpanEvent } from "./export-model";
import {
  AnyValueSchema,
  ArrayValueSchema,
  ExportTraceServiceRequestSchema,
  InstrumentationScopeSchema,
  KeyValueListSchema,
  KeyValueSchema,
  ResourceSchema,
  ResourceSpansSchema,
  ScopeSpansSchema,
  Span_EventSchema,
  Span_LinkSchema,
  SpanSchema,
  StatusSchema,
} from "./proto/gen/otlp_trace_pb";

/**
 * Reads a binary ExportTraceServiceRequest straight into the mapping's model (export-model.ts) with
 * @bufbuild/protobuf's wire reader: only the fields the mapping uses are read, the rest are skipped
 * as unknown fields are, and attribute values become plain JSON as they are read. What the generated
 * message tree would hold as some 20 objects per span is never built.
 *
 * Field numbers come from the generated descriptors of lib/otlp/proto/otlp_trace.proto. As
 * `fromBinary` does: strings must be valid UTF-8, messages nest at most `limit` deep, a
 * repeated singular field's last value wins and a repeated message field is merged. A field sent
 * with another wire type than its declaration's is skipped, as protobuf's own parsers do with it.
 */
export function readExportProtobuf(bytes: Uint8Array, limit: number): OtlpExport {
  const reader = new BinaryReader(bytes, decodeUtf8);
  const request: OtlpExport = { resourceSpans: [] };
  enter(1, limit, REQUEST.typeName);
  while (reader.pos < reader.len) {
    const tag = nextTag(reader);
    if (tag === REQUEST.resourceSpans) request.resourceSpans.push(readResourceSpans(reader, messageEnd(reader), 2, limit));
    else skip(reader, tag, 1, limit);
  }
  leave(reader, reader.len, REQUEST.typeName);
  return request;
}

/** The wire tag (field number and wire type) of each field read, from the generated descriptor; and the message's name. */
function tags<K extends string>(schema: DescMessage, wireTypes: Record<K, WireType>): Record<K, number> & { typeName: string } {
  const out: Record<string, number> = {};
  for (const [name, wireType] of Object.entries(wireTypes) as [K, WireType][]) {
    const field = schema.field[name];
    if (!field) throw new Error(`${schema.typeName} has no field ${name}`);
    out[name] = (field.number << 3) | wireType;
  }
  return { ...(out as Record<K, number>), typeName: schema.typeName };
}

const { LengthDelimited: LEN, Varint: VARINT, Bit64: I64 } = WireType;
const REQUEST = tags(ExportTraceServiceRequestSchema, { resourceSpans: LEN });
const RESOURCE_SPANS = tags(ResourceSpansSchema, { resource: LEN, scopeSpans: LEN });
const RESOURCE = tags(ResourceSchema, { attributes: LEN });
const SCOPE_SPANS = tags(ScopeSpansSchema, { scope: LEN, spans: LEN });
const SCOPE = tags(InstrumentationScopeSchema, { name: LEN, version: LEN });
const SPAN = tags(SpanSchema, {
  traceId: LEN,
  spanId: LEN,
  parentSpanId: LEN,
  name: LEN,
  kind: VARINT,
  startTimeUnixNano: I64,
  endTimeUnixNano: I64,
  attributes: LEN,
  droppedAttributesCount: VARINT,
  events: LEN,
  droppedEventsCount: VARINT,
  links: LEN,
  droppedLinksCount: VARINT,
  status: LEN,
});
const EVENT = tags(Span_EventSchema, { timeUnixNano: I64, name: LEN, attributes: LEN });
const LINK = tags(Span_LinkSchema, { traceId: LEN, spanId: LEN });
const STATUS = tags(StatusSchema, { code: VARINT, message: LEN });
const KEY_VALUE = tags(KeyValueSchema, { key: LEN, value: LEN });
const ANY_VALUE = tags(AnyValueSchema, {
  stringValue: LEN,
  boolValue: VARINT,
  intValue: VARINT,
  doubleValue: I64,
  arrayValue: LEN,
  kvlistValue: LEN,
  bytesValue: LEN,
  stringValueStrindex: VARINT,
});
const ARRAY_VALUE = tags(ArrayValueSchema, { values: LEN });
const KEY_VALUE_LIST = tags(KeyValueListSchema, { values: LEN });

/** Arrays and kvlists nested deeper than this become TOO_DEEP (read, to check the recursion limit, but not kept). */
const MAX_VALUE_DEPTH = 6;
const EMPTY = new Uint8Array(0);

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const decodeUtf8 = (bytes: Uint8Array) => strictUtf8.decode(bytes);

/** Enters a nested message: refused past the recursion limit, as fromBinary refuses it. */
function enter(depth: number, limit: number, typeName: string): void {
  if (depth > limit) throw new Error(`cannot decode ${typeName}: maximum recursion depth of ${limit} reached`);
}

/** The next field's tag: field number and wire type, as one number to compare with the tags above. */
function nextTag(reader: BinaryReader): number {
  const [fieldNo, wireType] = reader.tag();
  return (fieldNo << 3) | wireType;
}

/** Skips a field this reader does not read (or one sent with another wire type than declared). */
function skip(reader: BinaryReader, tag: number, depth: number, limit: number): void {
  reader.skip(tag & 7, tag >>> 3, limit - depth);
}

/** A nested message's end: its length is read, the reader is left at its first field. */
function messageEnd(reader: BinaryReader): number {
  const end = reader.uint32() + reader.pos;
  if (end > reader.len) throw new RangeError("premature EOF");
  return end;
}

function leave(reader: BinaryReader, end: number, typeName: string): void {
  if (reader.pos !== end) throw new Error(`cannot decode ${typeName}: a field runs past the end of the message`);
}

function readResourceSpans(reader: BinaryReader, end: number, depth: number, limit: number): OtlpResourceSpans {
  enter(depth, limit, RESOURCE_SPANS.typeName);
  const out: OtlpResourceSpans = { resourceAttributes: new Map(), scopeSpans: [] };
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === RESOURCE_SPANS.resource) readResource(reader, messageEnd(reader), depth + 1, limit, out.resourceAttributes);
    else if (tag === RESOURCE_SPANS.scopeSpans) out.scopeSpans.push(readScopeSpans(reader, messageEnd(reader), depth + 1, limit));
    else skip(reader, tag, depth, limit);
  }
  leave(reader, end, RESOURCE_SPANS.typeName);
  return out;
}

function readResource(reader: BinaryReader, end: number, depth: number, limit: number, attributes: Map<string, AttrValue>): void {
  enter(depth, limit, RESOURCE.typeName);
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === RESOURCE.attributes) readKeyValue(reader, messageEnd(reader), depth + 1, limit, attributes);
    else skip(reader, tag, depth, limit);
  }
  leave(reader, end, RESOURCE.typeName);
}

function readScopeSpans(reader: BinaryReader, end: number, depth: number, limit: number): OtlpScopeSpans {
  enter(depth, limit, SCOPE_SPANS.typeName);
  const out: OtlpScopeSpans = { scope: undefined, spans: [] };
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === SCOPE_SPANS.spans) out.spans.push(readSpan(reader, messageEnd(reader), depth + 1, limit));
    else if (tag === SCOPE_SPANS.scope) out.scope = readScope(reader, messageEnd(reader), depth + 1, limit, out.scope ?? { name: "", version: "" });
    else skip(reader, tag, depth, limit);
  }
  leave(reader, end, SCOPE_SPANS.typeName);
  return out;
}

function readScope(reader: BinaryReader, end: number, depth: number, limit: number, scope: { name: string; version: string }) {
  enter(depth, limit, SCOPE.typeName);
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === SCOPE.name) scope.name = reader.string(true);
    else if (tag === SCOPE.version) scope.version = reader.string(true);
    else skip(reader, tag, depth, limit);
  }
  leave(reader, end, SCOPE.typeName);
  return scope;
}

function readSpan(reader: BinaryReader, end: number, depth: number, limit: number): OtlpSpan {
  enter(depth, limit, SPAN.typeName);
  const span: OtlpSpan = {
    traceId: EMPTY,
    spanId: EMPTY,
    parentSpanId: EMPTY,
    name: "",
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: new Map(),
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: undefined,
  };
  while (reader.pos < end) {
    const tag = nextTag(reader);
    switch (tag) {
      case SPAN.traceId:
        span.traceId = reader.bytes();
        break;
      case SPAN.spanId:
        span.spanId = reader.bytes();
        break;
      case SPAN.parentSpanId:
        span.parentSpanId = reader.bytes();
        break;
      case SPAN.name:
        span.name = reader.string(true);
        break;
      case SPAN.kind:
        span.kind = reader.int32();
        break;
      case SPAN.startTimeUnixNano:
        span.startTimeUnixNano = BigInt(reader.fixed64());
        break;
      case SPAN.endTimeUnixNano:
        span.endTimeUnixNano = BigInt(reader.fixed64());
        break;
      case SPAN.attributes:
        readKeyValue(reader, messageEnd(reader), depth + 1, limit, span.attributes);
        break;
      case SPAN.droppedAttributesCount:
        span.droppedAttributesCount = reader.uint32();
        break;
      case SPAN.events:
        span.events.push(readEvent(reader, messageEnd(reader), depth + 1, limit));
        break;
      case SPAN.droppedEventsCount:
        span.droppedEventsCount = reader.uint32();
        break;
      case SPAN.links:
        span.links.push(readLink(reader, messageEnd(reader), depth + 1, limit));
        break;
      case SPAN.droppedLinksCount:
        span.droppedLinksCount = reader.uint32();
        break;
      case SPAN.status:
        span.status = readStatus(reader, messageEnd(reader), depth + 1, limit, span.status ?? { code: 0, message: "" });
        break;
      default:
        skip(reader, tag, depth, limit);
    }
  }
  leave(reader, end, SPAN.typeName);
  return span;
}

function readEvent(reader: BinaryReader, end: number, depth: number, limit: number): OtlpSpanEvent {
  enter(depth, limit, EVENT.typeName);
  const event: OtlpSpanEvent = { timeUnixNano: 0n, name: "", attributes: new Map() };
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === EVENT.timeUnixNano) event.timeUnixNano = BigInt(reader.fixed64());
    else if (tag === EVENT.name) event.name = reader.string(true);
    else if (tag === EVENT.attributes) readKeyValue(reader, messageEnd(reader), depth + 1, limit, event.attributes);
    else skip(reader, tag, depth, limit);
  }
  leave(reader, end, EVENT.typeName);
  return event;
}

function readLink(reader: BinaryReader, end: number, depth: number, limit: number): OtlpLink {
  enter(depth, limit, LINK.typeName);
  const link: OtlpLink = { traceId: EMPTY, spanId: EMPTY };
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === LINK.traceId) link.traceId = reader.bytes();
    else if (tag === LINK.spanId) link.spanId = reader.bytes();
    else skip(reader, tag, depth, limit);
  }
  leave(reader, end, LINK.typeName);
  return link;
}

function readStatus(reader: BinaryReader, end: number, depth: number, limit: number, status: { code: number; message: string }) {
  enter(depth, limit, STATUS.typeName);
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === STATUS.code) status.code = reader.int32();
    else if (tag === STATUS.message) status.message = reader.string(true);
    else skip(reader, tag, depth, limit);
  }
  leave(reader, end, STATUS.typeName);
  return status;
}

/** One KeyValue into `into`: a span's attributes by key, a kvlist's object, or nowhere (a value too deep to keep). */
function readKeyValue(
  reader: BinaryReader,
  end: number,
  depth: number,
  limit: number,
  into: Map<string, AttrValue> | { [key: string]: AttrValue } | null,
  valueDepth = 0,
): void {
  enter(depth, limit, KEY_VALUE.typeName);
  let key = "";
  let value: AttrValue = null;
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === KEY_VALUE.key) key = reader.string(true);
    // A second value field merges into the first, as protobuf merges a message field sent twice.
    else if (tag === KEY_VALUE.value) value = readAnyValue(reader, messageEnd(reader), depth + 1, limit, into === null ? -1 : valueDepth, value);
    else skip(reader, tag, depth, limit);
  }
  leave(reader, end, KEY_VALUE.typeName);
  if (into instanceof Map) into.set(key, value);
  else if (into !== null) setOwn(into, key, value);
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An AnyValue as plain JSON, as anyValueToJson renders it: ints past 2^53 as decimal strings, bytes
 * as base64, non-finite doubles as strings, arrays and kvlists nested MAX_VALUE_DEPTH deep as
 * TOO_DEEP. `valueDepth` counts the arrays and kvlists around the value; -1 reads a value only to
 * check that it decodes. `value` is what was read so far: the last member of the oneof wins, and an
 * arrayValue or kvlistValue merges into one read before (only those two read as an array or object).
 */
function readAnyValue(reader: BinaryReader, end: number, depth: number, limit: number, valueDepth: number, value: AttrValue): AttrValue {
  enter(depth, limit, ANY_VALUE.typeName);
  const keep = valueDepth >= 0;
  while (reader.pos < end) {
    const tag = nextTag(reader);
    switch (tag) {
      case ANY_VALUE.stringValue:
        value = reader.string(true);
        break;
      case ANY_VALUE.boolValue:
        value = reader.bool();
        break;
      case ANY_VALUE.intValue: {
        const n = BigInt(reader.int64());
        value = n >= MIN_SAFE && n <= MAX_SAFE ? Number(n) : n.toString();
        break;
      }
      case ANY_VALUE.doubleValue: {
        const d = reader.double();
        value = Number.isFinite(d) ? d : String(d);
        break;
      }
      case ANY_VALUE.bytesValue:
        value = base64(reader.bytes());
        break;
      case ANY_VALUE.stringValueStrindex:
        // An index into a dictionary only profiles carry: a trace has none.
        reader.int32();
        value = null;
        break;
      case ANY_VALUE.arrayValue: {
        const nested = keep && valueDepth < MAX_VALUE_DEPTH;
        const items = nested ? (Array.isArray(value) ? value : []) : null;
        readArrayValue(reader, messageEnd(reader), depth + 1, limit, items, nested ? valueDepth + 1 : -1);
        value = items ?? TOO_DEEP;
        break;
      }
      case ANY_VALUE.kvlistValue: {
        const nested = keep && valueDepth < MAX_VALUE_DEPTH;
        const object = nested ? (isObject(value) ? value : {}) : null;
        readKeyValueList(reader, messageEnd(reader), depth + 1, limit, object, nested ? valueDepth + 1 : -1);
        value = object ?? TOO_DEEP;
        break;
      }
      default:
        skip(reader, tag, depth, limit);
    }
  }
  leave(reader, end, ANY_VALUE.typeName);
  return keep ? value : null;
}

const isObject = (value: AttrValue): value is { [key: string]: AttrValue } => typeof value === "object" && value !== null && !Array.isArray(value);

function readArrayValue(reader: BinaryReader, end: number, depth: number, limit: number, items: AttrValue[] | null, itemDepth: number): void {
  enter(depth, limit, ARRAY_VALUE.typeName);
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === ARRAY_VALUE.values) {
      const item = readAnyValue(reader, messageEnd(reader), depth + 1, limit, items === null ? -1 : itemDepth, null);
      items?.push(item);
    } else skip(reader, tag, depth, limit);
  }
  leave(reader, end, ARRAY_VALUE.typeName);
}

function readKeyValueList(
  reader: BinaryReader,
  end: number,
  depth: number,
  limit: number,
  into: { [key: string]: AttrValue } | null,
  valueDepth: number,
): void {
  enter(depth, limit, KEY_VALUE_LIST.typeName);
  while (reader.pos < end) {
    const tag = nextTag(reader);
    if (tag === KEY_VALUE_LIST.values) readKeyValue(reader, messageEnd(reader), depth + 1, limit, into, valueDepth);
    else skip(reader, tag, depth, limit);
  }
  leave(reader, end, KEY_VALUE_LIST.typeName);
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
