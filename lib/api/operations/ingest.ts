import { z } from "zod";
import { EXPORT_MAX_EVENTS, eventExportQuerySchema } from "@/lib/events/export-events";
import { eventQuerySchema } from "@/lib/events/filters";
import { agentEventSchema, eventPageSchema, ingestResultSchema } from "@/lib/ingest/schemas";
import { otlpExportResponseJson, otlpProtobufBody, otlpProtobufResponse, otlpTraceExportJson, rpcStatusJson, rpcStatusProtobuf } from "@/lib/otlp/schemas";
import { operation } from "../operation";

const event = agentEventSchema.meta({ id: "AgentActionLog", description: "One agent action log record. Unknown fields are ignored." });

export const ingestApi = {
  ingest: operation({
    method: "POST",
    path: "/api/v1/ingest",
    tag: "Agent door",
    summary: "Send action log records",
    description:
      "Each record is checked on its own: good ones are stored, bad ones are listed with every field problem (207). A retry with the same `event_id` is not stored twice. `Content-Encoding: gzip` is accepted.",
    access: "ingest-key",
    body: {
      content: {
        "application/json": z
          .union([z.array(event), z.object({ events: z.array(event) })])
          .meta({ description: 'A JSON array of records, or `{"events": [...]}`' }),
        "application/x-ndjson": z.string().meta({ description: "One AgentActionLog JSON object per line" }),
      },
    },
    responses: {
      200: { description: "Every record was stored (or was a duplicate)", schema: ingestResultSchema },
      207: { description: "Some records were refused; the others were stored", schema: ingestResultSchema },
    },
    errors: {
      403: "a record names an agent this key does not speak for",
      413: "more bytes or records than the console accepts in one request (error.max_bytes, error.max_events)",
      415: "Content-Type is not JSON or NDJSON, or Content-Encoding is not gzip",
      429: "the agent's rate limit (error.rate_limit_per_min); Retry-After says when",
    },
  }),
  otlpTraces: operation({
    method: "POST",
    path: "/api/v1/otlp/v1/traces",
    tag: "OpenTelemetry",
    summary: "OTLP/HTTP trace export",
    description:
      "Point an OpenTelemetry exporter at `OTEL_EXPORTER_OTLP_ENDPOINT=<console>/api/v1/otlp` with the agent's ingest key as `Authorization: Bearer`. GenAI spans become events. Protobuf or JSON, gzip or not; the answer (and any error, as google.rpc.Status) comes in the request's encoding.",
    access: "ingest-key",
    body: { content: { "application/x-protobuf": otlpProtobufBody, "application/json": otlpTraceExportJson } },
    responses: {
      200: {
        description: "Exported; partialSuccess names refused spans",
        content: { "application/json": otlpExportResponseJson, "application/x-protobuf": otlpProtobufResponse },
      },
    },
    errors: {
      403: "a span names an agent this key does not speak for",
      415: "Content-Type is not application/x-protobuf or application/json, or Content-Encoding is not gzip",
      429: "the agent's rate limit; Retry-After says when",
    },
    errorContent: { "application/json": rpcStatusJson, "application/x-protobuf": rpcStatusProtobuf },
  }),
};

export const eventsApi = {
  list: operation({
    method: "GET",
    path: "/api/v1/events",
    tag: "Events",
    summary: "Search stored events, newest first",
    description:
      "Each event comes with the findings detection raised on it. `since`/`until` take ISO 8601 or epoch seconds; `range` (15m, 1h, 24h, 7d…) is a window ending now. `q` searches the text of events through a full-text index, always within a bounded window (`window` in the answer says which).",
    access: "viewer",
    query: eventQuerySchema,
    responses: { 200: { description: "One page of events", schema: eventPageSchema } },
  }),
  export: operation({
    method: "GET",
    path: "/api/v1/events/export",
    tag: "Events",
    summary: "Export the filtered events as NDJSON or CSV",
    description: `The same filters, range and search as the list, streamed newest first, at most ${EXPORT_MAX_EVENTS} events. CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) start with an apostrophe. Each export is audited (\`events.export\`, with its filters); with a browser session it must start from the console's own pages.`,
    access: "analyst",
    query: eventExportQuerySchema,
    responses: {
      200: {
        description: "The events, with their findings",
        content: {
          "application/x-ndjson": z.string().meta({ description: "One ListedEvent JSON object per line" }),
          "text/csv": z.string().meta({ description: "RFC 4180, a header row first" }),
        },
        headers: { "Content-Disposition": "attachment; filename=events-<time>.<format>" },
      },
    },
  }),
};
