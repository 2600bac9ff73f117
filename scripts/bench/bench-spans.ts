import { randomBytes } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import type { AgentEvent } from "@/lib/ingest/schemas";
import { ExportTraceServiceRequestSchema, type KeyValue, KeyValueSchema } from "@/lib/otlp/proto/gen/otlp_trace_pb";
import { benchEvents } from "./bench-events";

const str = (key: string, value: string): KeyValue => create(KeyValueSchema, { key, value: { value: { case: "stringValue", value } } });
const int = (key: string, value: number): KeyValue => create(KeyValueSchema, { key, value: { value: { case: "intValue", value: BigInt(value) } } });
const messages = (role: string, text: string) => JSON.stringify([{ role, parts: [{ type: "text", content: text }] }]);

/** A bench event as the span a GenAI-instrumented agent would export for it (same text, tokens and times). */
function toSpan(event: AgentEvent, traceId: Uint8Array) {
  const startNs = BigInt(Math.round(event.timestamp * 1e6)) * 1000n;
  const attributes =
    event.action_type === "tool_call"
      ? [
          str("gen_ai.operation.name", "execute_tool"),
          str("gen_ai.tool.name", event.tool_name ?? event.action_name),
          str("gen_ai.tool.call.arguments", event.input_summary),
          str("gen_ai.tool.call.result", event.output_summary),
        ]
      : [
          str("gen_ai.operation.name", "chat"),
          str("gen_ai.request.model", "claude-sonnet-4"),
          int("gen_ai.usage.input_tokens", Math.round((event.token_count ?? 0) * 0.8)),
          int("gen_ai.usage.output_tokens", Math.round((event.token_count ?? 0) * 0.2)),
          str("gen_ai.input.messages", messages("user", event.input_summary)),
          str("gen_ai.output.messages", messages("assistant", event.output_summary)),
        ];
  return {
    traceId,
    spanId: randomBytes(8),
    name: event.action_name,
    kind: 1,
    startTimeUnixNano: startNs,
    endTimeUnixNano: startNs + BigInt(Math.round(event.duration_ms * 1e6)),
    attributes: [...attributes, str("gen_ai.conversation.id", event.session_id), str("cloud.region", "eu-west-1"), int("step", event.action_sequence ?? 0)],
  };
}

/** bench:ingest's events for one request, as an OTLP protobuf export of the agent's spans. */
export function benchExportBody(agentId: string, count: number, seed: number): Uint8Array {
  const traceId = randomBytes(16);
  const request = create(ExportTraceServiceRequestSchema, {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", agentId), str("service.version", "2.3.1"), str("host.name", "bench-host")] },
        scopeSpans: [
          { scope: { name: "bench-genai-instrumentation", version: "1.0.0" }, spans: benchEvents(agentId, count, seed).map((e) => toSpan(e, traceId)) },
        ],
      },
    ],
  });
  return toBinary(ExportTraceServiceRequestSchema, request);
}
