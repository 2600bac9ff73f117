import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { exportFromMessage, type OtlpExport } from "./export-model";
import { AnyValueSchema, ExportTraceServiceRequestSchema, SpanSchema } from "./proto/gen/otlp_trace_pb";
import { readExportProtobuf } from "./read-protobuf";

const LIMIT = 64;
type RequestInit = MessageInitShape<typeof ExportTraceServiceRequestSchema>;
type SpanInit = MessageInitShape<typeof SpanSchema>;
type AnyValueInit = MessageInitShape<typeof AnyValueSchema>;

const encode = (init: RequestInit) => toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, init));
/** What the generated decoder makes of the bytes, in the mapping's model: the reference the reader must match. */
const reference = (bytes: Uint8Array): OtlpExport => exportFromMessage(fromBinary(ExportTraceServiceRequestSchema, bytes, { recursionLimit: LIMIT }));
const read = (bytes: Uint8Array) => readExportProtobuf(bytes, LIMIT);

const str = (value: string): AnyValueInit => ({ value: { case: "stringValue", value } });
const span = (init: SpanInit = {}): SpanInit => ({
  traceId: Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex"),
  spanId: Buffer.from("b7ad6b7169203331", "hex"),
  name: "chat",
  kind: 3,
  startTimeUnixNano: 1_700_000_000_123_456_789n,
  endTimeUnixNano: 1_700_000_001_000_000_000n,
  ...init,
});
/** One resource, one scope, these spans, as bytes. */
const withSpans = (...spans: SpanInit[]) => encode({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

/** The request bytes with one span's own bytes put in by hand (to send what `create` cannot express). */
function withRawSpan(spanBytes: Uint8Array): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).fork(); // resource_spans
  writer.tag(2, WireType.LengthDelimited).fork(); // scope_spans
  writer.tag(2, WireType.LengthDelimited).bytes(spanBytes); // spans
  writer.join().join();
  return writer.finish();
}

const spanBytes = (init: SpanInit) => toBinary(SpanSchema, create(SpanSchema, init));
const anyValueBytes = (init: AnyValueInit) => toBinary(AnyValueSchema, create(AnyValueSchema, init));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

function nestedArrays(levels: number): AnyValueInit {
  let value: AnyValueInit = str("bottom");
  for (let i = 0; i < levels; i++) value = { value: { case: "arrayValue", value: { values: [value] } } };
  return value;
}

describe("readExportProtobuf: the same export as @bufbuild/protobuf's fromBinary, in the mapping's model", () => {
  it("reads every field the mapping uses and every attribute type as the generated decoder does", () => {
    const bytes = encode({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: "service.name", value: str("support-bot") },
              { key: "host.name", value: str("h1") },
            ],
            droppedAttributesCount: 2,
          },
          schemaUrl: "https://opentelemetry.io/schemas/1.30.0",
          scopeSpans: [
            {
              scope: { name: "genai-instrumentation", version: "1.2.0", attributes: [{ key: "scope.attr", value: str("x") }] },
              schemaUrl: "s",
              spans: [
                span({
                  parentSpanId: Buffer.from("00f067aa0ba902b7", "hex"),
                  traceState: "vendor=1",
                  flags: 0x301,
                  droppedAttributesCount: 3,
                  droppedEventsCount: 4,
                  droppedLinksCount: 5,
                  status: { code: 2, message: "upstream timed out ✗" },
                  attributes: [
                    { key: "text", value: str("héllo \u{1F600} \u0000 end") },
                    { key: "empty", value: {} },
                    { key: "no value" },
                    { key: "yes", value: { value: { case: "boolValue", value: true } } },
                    { key: "no", value: { value: { case: "boolValue", value: false } } },
                    { key: "small", value: { value: { case: "intValue", value: -42n } } },
                    { key: "safe max", value: { value: { case: "intValue", value: BigInt(Number.MAX_SAFE_INTEGER) } } },
                    { key: "safe min", value: { value: { case: "intValue", value: BigInt(Number.MIN_SAFE_INTEGER) } } },
                    { key: "huge", value: { value: { case: "intValue", value: 9_223_372_036_854_775_807n } } },
                    { key: "tiny", value: { value: { case: "intValue", value: -9_223_372_036_854_775_808n } } },
                    { key: "double", value: { value: { case: "doubleValue", value: 3.25 } } },
                    { key: "nan", value: { value: { case: "doubleValue", value: Number.NaN } } },
                    { key: "inf", value: { value: { case: "doubleValue", value: Number.NEGATIVE_INFINITY } } },
                    { key: "bytes", value: { value: { case: "bytesValue", value: new Uint8Array([0, 255, 16, 32]) } } },
                    { key: "strindex", value: { value: { case: "stringValueStrindex", value: 7 } } },
                    { key: "array", value: { value: { case: "arrayValue", value: { values: [str("a"), {}, { value: { case: "intValue", value: 1n } }] } } } },
                    {
                      key: "kvlist",
                      value: {
                        value: {
                          case: "kvlistValue",
                          value: {
                            values: [
                              { key: "__proto__", value: str("dropped") },
                              { key: "__proto__", value: { value: { case: "kvlistValue", value: { values: [{ key: "polluted", value: str("yes") }] } } } },
                              { key: "2", value: str("two") },
                              { key: "a", value: str("first") },
                              { key: "a", value: str("last") },
                            ],
                          },
                        },
                      },
                    },
                    { key: "deep", value: nestedArrays(9) },
                    { key: "text", value: str("the last of a duplicated key wins") },
                    { key: "__proto__", value: str("kept by key in the map, left out of objects") },
                    { key: "", value: str("empty key") },
                  ],
                  events: [
                    {
                      timeUnixNano: 1_700_000_000_500_000_000n,
                      name: "exception",
                      attributes: [{ key: "exception.message", value: str("boom") }],
                      droppedAttributesCount: 1,
                    },
                    { name: "no time" },
                  ],
                  links: [
                    {
                      traceId: new Uint8Array(16).fill(1),
                      spanId: new Uint8Array(8).fill(2),
                      traceState: "t",
                      attributes: [{ key: "l", value: str("v") }],
                      flags: 1,
                    },
                  ],
                }),
                span({ spanId: new Uint8Array(3), traceId: new Uint8Array() }),
                {},
              ],
            },
            { spans: [span({ name: "" })] },
          ],
        },
        { scopeSpans: [] },
        {},
      ],
    });
    const decoded = read(bytes);
    expect(decoded).toEqual(reference(bytes));
    const first = decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(first?.attributes.get("deep")).toEqual([[[[[["[nested too deep]"]]]]]]);
    expect(first?.attributes.get("huge")).toBe("9223372036854775807");
    expect(first?.attributes.get("safe min")).toBe(Number.MIN_SAFE_INTEGER);
    expect(first?.attributes.get("kvlist")).toEqual({ 2: "two", a: "last" });
    expect(Object.getPrototypeOf(first?.attributes.get("kvlist"))).toBe(Object.prototype);
  });

  it("reads an empty body as an export of nothing, and skips fields it does not read at every level", () => {
    expect(read(new Uint8Array())).toEqual({ resourceSpans: [] });
    const unknown = new BinaryWriter()
      .tag(99, WireType.Varint)
      .uint64(12345678901234n)
      .tag(98, WireType.Bit32)
      .fixed32(7)
      .tag(97, WireType.Bit64)
      .fixed64(7n)
      .tag(96, WireType.LengthDelimited)
      .bytes(new Uint8Array([1, 2, 3]))
      .tag(95, WireType.StartGroup)
      .tag(1, WireType.Varint)
      .uint32(1)
      .tag(95, WireType.EndGroup)
      .finish();
    const bytes = concat(unknown, withRawSpan(concat(spanBytes(span({ attributes: [{ key: "k", value: str("v") }] })), unknown)), unknown);
    expect(read(bytes)).toEqual(reference(bytes));
    expect(read(bytes).resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes.get("k")).toBe("v");
  });

  it("merges a message field sent twice and keeps the last of a scalar sent twice, as protobuf does", () => {
    const first = spanBytes(
      span({
        name: "first",
        status: { code: 2, message: "" },
        attributes: [
          { key: "list", value: { value: { case: "arrayValue", value: { values: [str("a")] } } } },
          { key: "object", value: { value: { case: "kvlistValue", value: { values: [{ key: "x", value: str("1") }] } } } },
        ],
        events: [{ name: "e1" }],
      }),
    );
    const second = spanBytes({
      name: "second",
      status: { message: "failed" },
      attributes: [{ key: "list", value: str("replaced") }],
      events: [{ name: "e2" }],
    });
    // A KeyValue whose value comes twice: the second array's items join the first's.
    const twoValues = new BinaryWriter()
      .tag(9, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string("merged")
      .tag(2, WireType.LengthDelimited)
      .bytes(anyValueBytes(nestedArrays(1)))
      .tag(2, WireType.LengthDelimited)
      .bytes(anyValueBytes({ value: { case: "arrayValue", value: { values: [str("second")] } } }))
      .join()
      .finish();
    // A value whose string is followed by a string_value_strindex: the last member of the oneof wins.
    const indexed = new BinaryWriter()
      .tag(9, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string("indexed")
      .tag(2, WireType.LengthDelimited)
      .bytes(concat(anyValueBytes(str("text")), new BinaryWriter().tag(8, WireType.Varint).int32(3).finish()))
      .join()
      .finish();
    const bytes = withRawSpan(concat(first, second, twoValues, indexed));
    const decoded = read(bytes);
    expect(decoded).toEqual(reference(bytes));
    const merged = decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(merged?.name).toBe("second");
    expect(merged?.status).toEqual({ code: 2, message: "failed" });
    expect(merged?.events.map((e) => e.name)).toEqual(["e1", "e2"]);
    expect(merged?.attributes.get("merged")).toEqual(["bottom", "second"]);
    expect(merged?.attributes.get("indexed")).toBeNull();
  });

  it("refuses values nested past the recursion limit, exactly where fromBinary does", () => {
    // Request, resource spans, scope spans, span, key value: 5 messages; each array level adds 2.
    const fits = withSpans(span({ attributes: [{ key: "deep", value: nestedArrays(29) }] }));
    const past = withSpans(span({ attributes: [{ key: "deep", value: nestedArrays(30) }] }));
    expect(read(fits)).toEqual(reference(fits));
    expect(() => reference(past)).toThrow(/maximum recursion depth/);
    expect(() => read(past)).toThrow(/maximum recursion depth of 64/);
  });

  it("refuses a string that is not UTF-8, as fromBinary does", () => {
    const name = new TextEncoder().encode("chat-xx");
    name.set([0xc3, 0x28], 5);
    const bytes = withRawSpan(concat(spanBytes(span({ name: "" })), new BinaryWriter().tag(5, WireType.LengthDelimited).bytes(name).finish()));
    expect(() => reference(bytes)).toThrow();
    expect(() => read(bytes)).toThrow();
  });

  it("refuses every truncation of a body that fromBinary refuses, and reads the others alike", () => {
    const whole = withSpans(span({ attributes: [{ key: "k", value: str("value") }], events: [{ name: "e" }] }), span());
    for (let length = 0; length < whole.length; length++) {
      const part = whole.subarray(0, length);
      let expected: OtlpExport | null = null;
      try {
        expected = reference(part);
      } catch {
        expect(() => read(part), `a body cut at ${length} bytes`).toThrow();
        continue;
      }
      // The reader is stricter than fromBinary about a field running past its message's end.
      let actual: OtlpExport | null = null;
      try {
        actual = read(part);
      } catch {
        continue;
      }
      expect(actual, `a body cut at ${length} bytes`).toEqual(expected);
    }
  });

  it("refuses a field that runs past the end of the message around it", () => {
    // A KeyValue of 3 bytes whose key field claims 5.
    const keyValue = new BinaryWriter().tag(1, WireType.LengthDelimited).string("abcde").finish();
    const bytes = withRawSpan(
      concat(spanBytes(span()), new BinaryWriter().tag(9, WireType.LengthDelimited).bytes(keyValue.subarray(0, 3)).finish(), keyValue.subarray(3)),
    );
    expect(() => read(bytes)).toThrow(/runs past the end/);
  });

  it("answers random damage to a body with an export or an Error, never anything else", () => {
    const whole = withSpans(span({ attributes: [{ key: "k", value: nestedArrays(3) }], events: [{ name: "e" }], links: [{}], status: { code: 2 } }));
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 3000; i++) {
      const damaged = Uint8Array.from(whole);
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      try {
        expect(read(damaged).resourceSpans).toBeInstanceOf(Array);
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
      }
    }
  });
});
