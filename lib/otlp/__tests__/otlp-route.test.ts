import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/otlp/v1/traces/route";
import { appDb } from "@/db/client";
import { spanEventId } from "@/lib/otlp/map-spans";
import {
  type AnyValueSchema,
  ExportTraceServiceRequestSchema,
  ExportTraceServiceResponseSchema,
  type KeyValueSchema,
  RpcStatusSchema,
  type Span,
  SpanSchema,
} from "@/lib/otlp/proto/gen/otlp_trace_pb";
import { newAgent } from "@/scripts/testing/fixtures";

type KeyValueInit = MessageInitShape<typeof KeyValueSchema>;

async function post(body: Uint8Array | string, opts: { key?: string; contentType?: string; encoding?: string } = {}) {
  const headers: Record<string, string> = { "content-type": opts.contentType ?? "application/x-protobuf" };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.encoding) headers["content-encoding"] = opts.encoding;
  const res = await POST(
    new Request("http://soc.test/api/v1/otlp/v1/traces", { method: "POST", headers, body: typeof body === "string" ? body : new Uint8Array(body) }),
  );
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

const protoStatus = (bytes: Uint8Array) => fromBinary(RpcStatusSchema, bytes);
const protoResponse = (bytes: Uint8Array) => fromBinary(ExportTraceServiceResponseSchema, bytes);
const jsonBody = (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes).toString("utf8")) as Record<string, unknown>;

const nowNs = () => BigInt(Date.now() - 5_000) * 1_000_000n;

function chatSpan(overrides: { spanId?: Uint8Array; startTimeUnixNano?: bigint; endTimeUnixNano?: bigint; attributes?: KeyValueInit[] } = {}): Span {
  const start = nowNs();
  return create(SpanSchema, {
    traceId: randomBytes(16),
    spanId: randomBytes(8),
    name: "chat gpt-4o-mini",
    kind: 3,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 50_000_000n,
    attributes: [
      { key: "gen_ai.operation.name", value: { value: { case: "stringValue" as const, value: "chat" } } },
      { key: "gen_ai.request.model", value: { value: { case: "stringValue" as const, value: "gpt-4o-mini" } } },
    ],
    ...overrides,
  });
}

function encode(agentId: string, spans: Span[]): Uint8Array {
  const init: MessageInitShape<typeof ExportTraceServiceRequestSchema> = {
    resourceSpans: [
      { resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue", value: agentId } } }] }, scopeSpans: [{ spans }] },
    ],
  };
  return toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, init));
}

async function storedCount(agentId: string): Promise<number> {
  const rows = await appDb().execute<{ n: string }>(
    sql`SELECT count(*) AS n FROM events WHERE agent_id = ${agentId} AND action_name <> 'impersonation_attempt'`,
  );
  return Number(rows.rows[0]?.n ?? 0);
}

describe("POST /api/v1/otlp/v1/traces: bodies from other exporters", () => {
  it("reads a JSON body as Go's protojson writes it (enum names, 64-bit ints as strings, every attribute type)", async () => {
    const { agentId, key } = await newAgent({ prefix: "go" });
    const traceId = randomBytes(16).toString("hex");
    const start = nowNs();
    const body = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: "service.name", value: { stringValue: agentId } },
              { key: "host.name", value: { stringValue: "worker-7" } },
            ],
          },
          scopeSpans: [
            {
              scope: { name: "go.opentelemetry.io/contrib/genai", version: "0.4.0" },
              spans: [
                {
                  traceId,
                  spanId: "00f067aa0ba902b7",
                  parentSpanId: "",
                  name: "execute_tool lookup_order",
                  kind: "SPAN_KIND_INTERNAL",
                  startTimeUnixNano: start.toString(),
                  endTimeUnixNano: (start + 12_000_000n).toString(),
                  attributes: [
                    { key: "gen_ai.operation.name", value: { stringValue: "execute_tool" } },
                    { key: "gen_ai.tool.name", value: { stringValue: "lookup_order" } },
                    { key: "gen_ai.tool.call.arguments", value: { stringValue: '{"order":"A-17"}' } },
                    { key: "gen_ai.tool.call.result", value: { stringValue: "shipped" } },
                    { key: "retry.count", value: { intValue: "3" } },
                    { key: "big.count", value: { intValue: "9007199254740993" } },
                    { key: "score", value: { doubleValue: 0.25 } },
                    { key: "cached", value: { boolValue: true } },
                    { key: "blob", value: { bytesValue: Buffer.from("raw").toString("base64") } },
                    {
                      key: "tags",
                      value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: 2 }, { arrayValue: { values: [{ boolValue: false }] } }] } },
                    },
                    {
                      key: "caller",
                      value: {
                        kvlistValue: {
                          values: [
                            { key: "team", value: { stringValue: "billing" } },
                            { key: "nested", value: { kvlistValue: { values: [{ key: "x", value: { intValue: "1" } }] } } },
                          ],
                        },
                      },
                    },
                  ],
                  status: { code: "STATUS_CODE_OK" },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(JSON.stringify(body), { key, contentType: "application/json" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(jsonBody(res.bytes)).toEqual({});
    const rows = await appDb().execute<{ event_id: string; tool_name: string; metadata: Record<string, unknown> }>(
      sql`SELECT event_id, tool_name, metadata FROM events WHERE agent_id = ${agentId}`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ event_id: spanEventId(traceId, "00f067aa0ba902b7"), tool_name: "lookup_order" });
    expect(rows.rows[0]?.metadata).toMatchObject({
      trace_id: traceId,
      span_id: "00f067aa0ba902b7",
      parent_span_id: null,
      scope: "go.opentelemetry.io/contrib/genai@0.4.0",
      resource: { "host.name": "worker-7" },
      attributes: {
        "retry.count": 3,
        "big.count": "9007199254740993",
        score: 0.25,
        cached: true,
        blob: Buffer.from("raw").toString("base64"),
        tags: ["a", 2, [false]],
        caller: { team: "billing", nested: { x: 1 } },
      },
    });
  });

  it("reads a JSON body with snake_case keys and numeric enums, as Python's MessageToDict(preserving_proto_field_name=True) writes it", async () => {
    const { agentId, key } = await newAgent({ prefix: "py" });
    const start = nowNs();
    const body = {
      resource_spans: [
        {
          resource: { attributes: [{ key: "service.name", value: { string_value: agentId } }] },
          scope_spans: [
            {
              spans: [
                {
                  trace_id: randomBytes(16).toString("hex"),
                  span_id: randomBytes(8).toString("hex"),
                  name: "chat claude-haiku-4-5",
                  kind: 3,
                  start_time_unix_nano: Number(start / 1000n) * 1000,
                  end_time_unix_nano: String(start + 1_000_000n),
                  attributes: [
                    { key: "gen_ai.operation.name", value: { string_value: "chat" } },
                    { key: "gen_ai.request.model", value: { string_value: "claude-haiku-4-5" } },
                    { key: "gen_ai.usage.input_tokens", value: { int_value: "2000" } },
                    { key: "gen_ai.usage.output_tokens", value: { int_value: 400 } },
                  ],
                  status: { code: 1 },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(gzipSync(JSON.stringify(body)), { key, contentType: "application/json", encoding: "gzip" });
    expect(res.status).toBe(200);
    const rows = await appDb().execute<{ cost_usd: number; token_count: number }>(sql`SELECT cost_usd, token_count FROM events WHERE agent_id = ${agentId}`);
    expect(rows.rows).toEqual([{ cost_usd: (2000 * 1 + 400 * 5) / 1e6, token_count: 2400 }]);
  });
});

describe("POST /api/v1/otlp/v1/traces: bad input gets a clear answer, no 5xx, nothing half stored", () => {
  it("answers an undecodable protobuf body with 400 and a google.rpc.Status in protobuf", async () => {
    const { key } = await newAgent();
    const res = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), { key });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    const status = protoStatus(res.bytes);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^Body is not a protobuf ExportTraceServiceRequest: .+ \(request [0-9a-f-]{36}\)$/);
  });

  it("answers invalid JSON, hex-less ids and bad gzip with 400 in JSON", async () => {
    const { key } = await newAgent();
    const invalid = await post("{not json", { key, contentType: "application/json" });
    expect(invalid.status).toBe(400);
    expect(jsonBody(invalid.bytes)).toMatchObject({ code: 3, message: expect.stringMatching(/^Body is not valid JSON/) });
    const base64Ids = await post(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "AAAAAAAAAAAAAAAAAAAAAA==" }] }] }] }), {
      key,
      contentType: "application/json",
    });
    expect(base64Ids.status).toBe(400);
    expect(jsonBody(base64Ids.bytes).message).toContain("resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a hex string");
    const badGzip = await post("not gzip", { key, contentType: "application/json", encoding: "gzip" });
    expect(badGzip.status).toBe(400);
  });

  it("answers a wrong content type or encoding with 415, and a missing key with 401 in the request's encoding", async () => {
    const { agentId, key } = await newAgent();
    const wrongType = await post("hello", { key, contentType: "text/plain" });
    expect(wrongType.status).toBe(415);
    expect(jsonBody(wrongType.bytes).message).toContain("application/x-protobuf or application/json");
    expect((await post(encode(agentId, [chatSpan()]), { key, encoding: "br" })).status).toBe(415);
    const anonymous = await post(encode(agentId, [chatSpan()]));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="agentsoc-ingest"');
    expect(protoStatus(anonymous.bytes).code).toBe(16);
  });

  it("stores the good spans of a batch and names each rejected span and why in partial_success", async () => {
    const { agentId, key } = await newAgent();
    const unnamed = chatSpan({
      attributes: [
        { key: "gen_ai.operation.name", value: { value: { case: "stringValue" as const, value: "chat" } } },
        { key: "gen_ai.agent.name", value: { value: { case: "stringValue" as const, value: "" } } },
      ],
    });
    const body = create(ExportTraceServiceRequestSchema, {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue", value: agentId } } }] },
          scopeSpans: [
            { spans: [chatSpan(), chatSpan({ spanId: randomBytes(4) }), chatSpan({ startTimeUnixNano: 1_000_000_000n, endTimeUnixNano: 2_000_000_000n })] },
          ],
        },
        { resource: { attributes: [] }, scopeSpans: [{ spans: [unnamed] }] },
      ],
    });
    const res = await post(toBinary(ExportTraceServiceRequestSchema, body), { key });
    expect(res.status).toBe(200);
    const partial = protoResponse(res.bytes).partialSuccess;
    expect(partial?.rejectedSpans).toBe(3n);
    expect(partial?.errorMessage).toContain("3 span(s) rejected");
    expect(partial?.errorMessage).toContain("span_id is 4 bytes");
    expect(partial?.errorMessage).toContain("no agent: set gen_ai.agent.id");
    expect(partial?.errorMessage).toMatch(/start_time_unix_nano: older than the retention window/);
    expect(await storedCount(agentId)).toBe(1);
  });

  it("stores each span's ids as sent, even ids that read as card numbers, while the span's own text is redacted", async () => {
    const { agentId, key } = await newAgent();
    // Sixteen digits that pass the Luhn check: redacting them as a card would cut the span out of its trace tree.
    const cardLike = { spanId: Buffer.from("4111111111111111", "hex"), parentSpanId: Buffer.from("5555555555554444", "hex") };
    const withEmail = [...chatSpan().attributes, { key: "customer", value: { value: { case: "stringValue" as const, value: "jane.roe@example.com" } } }];
    // The first span fails validation (older than the retention window): what the console adds must stay with the right span.
    const old = chatSpan({ startTimeUnixNano: 1_000_000_000n, endTimeUnixNano: 2_000_000_000n });
    const res = await post(encode(agentId, [old, create(SpanSchema, { ...chatSpan({ attributes: withEmail }), ...cardLike })]), { key });
    expect(res.status).toBe(200);
    expect(protoResponse(res.bytes).partialSuccess?.rejectedSpans).toBe(1n);
    const rows = await appDb().execute<{ metadata: Record<string, unknown>; redactions: Record<string, number> | null }>(
      sql`SELECT metadata, redactions FROM events WHERE agent_id = ${agentId}`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]?.metadata).toMatchObject({
      span_id: "4111111111111111",
      parent_span_id: "5555555555554444",
      attributes: { customer: "[EMAIL_REDACTED]" },
    });
    expect(rows.rows[0]?.redactions).toEqual({ email: 1 });
  });

  it("answers 400 when no span can be stored, storing nothing", async () => {
    const { agentId, key } = await newAgent();
    const res = await post(encode("unknown_service:node", [chatSpan(), chatSpan()]), { key });
    expect(res.status).toBe(400);
    expect(protoStatus(res.bytes).message).toContain("No span could be stored. 2 span(s) rejected");
    expect(await storedCount(agentId)).toBe(0);
  });

  it("fits a span with 10,000 attributes and deeply nested values into one stored event", async () => {
    const { agentId, key } = await newAgent();
    let nested: MessageInitShape<typeof AnyValueSchema> = { value: { case: "stringValue", value: "deep" } };
    for (let i = 0; i < 20; i++) nested = { value: { case: "arrayValue", value: { values: [nested] } } };
    const attributes: KeyValueInit[] = [
      ...chatSpan().attributes,
      { key: "deep", value: nested },
      ...Array.from({ length: 10_000 }, (_, i) => ({ key: `attr.${i}`, value: { value: { case: "stringValue" as const, value: `v${i}` } } })),
    ];
    const res = await post(encode(agentId, [chatSpan({ attributes })]), { key });
    expect(res.status).toBe(200);
    const rows = await appDb().execute<{ dropped: number; deep: unknown }>(
      sql`SELECT (metadata->'dropped'->>'attributes')::int AS dropped, metadata->'attributes'->'deep' AS deep FROM events WHERE agent_id = ${agentId}`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]?.dropped).toBeGreaterThan(8_000);
    expect(JSON.stringify(rows.rows[0]?.deep)).toContain("[nested too deep]");

    for (let i = 0; i < 30; i++) nested = { value: { case: "arrayValue", value: { values: [nested] } } };
    const tooDeep = await post(encode(agentId, [chatSpan({ attributes: [{ key: "deeper", value: nested }] })]), { key });
    expect(tooDeep.status).toBe(400);
    expect(protoStatus(tooDeep.bytes).message).toContain("Body is not a protobuf ExportTraceServiceRequest");
  });

  it("answers 413 for 100,000 spans in one request and stores none of them", async () => {
    const { agentId, key } = await newAgent();
    const span = chatSpan();
    const spans = Array.from({ length: 100_000 }, () => ({ ...span, spanId: randomBytes(8) }));
    const res = await post(encode(agentId, spans), { key });
    expect(res.status).toBe(413);
    expect(protoStatus(res.bytes)).toMatchObject({ code: 8, message: expect.stringContaining("10000 events") });
    expect(await storedCount(agentId)).toBe(0);
  }, 60_000);

  it("refuses a span naming an agent the key does not speak for (403), records the attempt, stores nothing", async () => {
    const { agentId, key } = await newAgent();
    const victim = await newAgent({ prefix: "victim" });
    const res = await post(encode(victim.agentId, [chatSpan()]), { key });
    expect(res.status).toBe(403);
    expect(protoStatus(res.bytes).code).toBe(7);
    expect(await storedCount(victim.agentId)).toBe(0);
    const evidence = await appDb().execute<{ claimed: string[] }>(
      sql`SELECT metadata->'claimed_agent_ids' AS claimed FROM events WHERE agent_id = ${agentId} AND action_name = 'impersonation_attempt'`,
    );
    expect(evidence.rows).toEqual([{ claimed: [victim.agentId] }]);
  });

  it("answers 429 with Retry-After once the agent's per-minute quota is spent", async () => {
    const msToNextMinute = 60_000 - (Date.now() % 60_000);
    if (msToNextMinute < 5_000) await new Promise((resolve) => setTimeout(resolve, msToNextMinute + 100));
    const { agentId, key } = await newAgent({ rateLimitPerMin: 3 });
    expect((await post(encode(agentId, [chatSpan(), chatSpan()]), { key })).status).toBe(200);
    const limited = await post(encode(agentId, [chatSpan(), chatSpan()]), { key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(protoStatus(limited.bytes).code).toBe(8);
    expect(await storedCount(agentId)).toBe(2);
  });
});
