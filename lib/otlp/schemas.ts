import { z } from "zod";

// The OTLP/HTTP trace export as this door reads and answers it. The route decodes bodies with the
// opentelemetry-proto definitions (lib/otlp/proto); these schemas describe the JSON encoding of the
// same messages for the published API document, the fields the console reads named.

const anyValue = z
  .looseObject({})
  .meta({ description: "OTLP AnyValue: one of stringValue, boolValue, intValue, doubleValue, arrayValue, kvlistValue, bytesValue" });
const keyValue = z.looseObject({ key: z.string(), value: anyValue });

const span = z.looseObject({
  traceId: z.string().meta({ description: "16 bytes, hex" }),
  spanId: z.string().meta({ description: "8 bytes, hex" }),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.number().int().optional(),
  startTimeUnixNano: z.string().meta({ description: "uint64 as text" }),
  endTimeUnixNano: z.string(),
  attributes: z.array(keyValue).optional().meta({ description: "GenAI semantic conventions (gen_ai.*) become the event's fields" }),
  status: z.looseObject({ code: z.number().int().optional(), message: z.string().optional() }).optional(),
});

export const otlpTraceExportJson = z
  .looseObject({
    resourceSpans: z.array(
      z.looseObject({
        resource: z.looseObject({ attributes: z.array(keyValue).optional() }).optional(),
        scopeSpans: z.array(z.looseObject({ scope: z.looseObject({ name: z.string().optional() }).optional(), spans: z.array(span) })),
      }),
    ),
  })
  .meta({ id: "OtlpExportTraceServiceRequest", description: "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest, OTLP/JSON encoding" });

export const otlpProtobufBody = z
  .string()
  .meta({ format: "binary", description: "ExportTraceServiceRequest, protobuf-encoded (gzip allowed with Content-Encoding: gzip)" });

export const otlpExportResponseJson = z
  .object({
    partialSuccess: z
      .object({ rejectedSpans: z.string().optional().meta({ description: "int64 as text" }), errorMessage: z.string().optional() })
      .optional()
      .meta({ description: "Only when spans were refused, or there is a warning" }),
  })
  .meta({ id: "OtlpExportTraceServiceResponse" });

export const otlpProtobufResponse = z.string().meta({ format: "binary", description: "ExportTraceServiceResponse, protobuf-encoded" });

export const rpcStatusJson = z
  .object({
    code: z.number().int().optional().meta({ description: "google.rpc.Code" }),
    message: z.string().optional(),
    details: z.array(z.unknown()).optional(),
  })
  .meta({ id: "RpcStatus", description: "google.rpc.Status, as OTLP/HTTP answers errors; the message ends with the request id" });

export const rpcStatusProtobuf = z.string().meta({ format: "binary", description: "google.rpc.Status, protobuf-encoded" });
