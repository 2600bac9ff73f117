import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import type { ErrorCode } from "@/lib/errors";
import type { ErrorRenderer } from "@/lib/http/respond";
import type { OtlpEncoding } from "./decode-request";
import type { ExportResult } from "./export-traces";
import { ExportTraceServiceResponseSchema, RpcStatusSchema } from "./proto/gen/otlp_trace_pb";

const CONTENT_TYPES: Record<OtlpEncoding, string> = { protobuf: "application/x-protobuf", json: "application/json" };

/** google.rpc.Code for each of our error codes: the Status an OTLP/HTTP error body carries. */
const RPC_CODES: Record<ErrorCode, number> = {
  VALIDATION: 3, // INVALID_ARGUMENT
  UNAUTHENTICATED: 16,
  MFA_REQUIRED: 16, // UNAUTHENTICATED
  FORBIDDEN: 7, // PERMISSION_DENIED
  NOT_FOUND: 5,
  CONFLICT: 10, // ABORTED
  PAYLOAD_TOO_LARGE: 8, // RESOURCE_EXHAUSTED, as gRPC answers an oversized message
  UNSUPPORTED_MEDIA_TYPE: 3,
  RATE_LIMITED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
};

function respond(body: Uint8Array | string, status: number, encoding: OtlpEncoding, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === "string" ? body : Buffer.from(body), {
    status,
    headers: { "content-type": CONTENT_TYPES[encoding], "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers },
  });
}

/** 200 with an ExportTraceServiceResponse; partial_success only when spans were refused or there is a warning. */
export function exportResponse(result: ExportResult, encoding: OtlpEncoding): Response {
  const message = create(ExportTraceServiceResponseSchema, {
    partialSuccess: result.rejectedSpans > 0 || result.message ? { rejectedSpans: BigInt(result.rejectedSpans), errorMessage: result.message } : undefined,
  });
  const body = encoding === "protobuf" ? toBinary(ExportTraceServiceResponseSchema, message) : toJsonString(ExportTraceServiceResponseSchema, message);
  return respond(body, 200, encoding);
}

/**
 * Errors as the OTLP/HTTP specification wants them: the HTTP status (exporters retry 429, 502, 503
 * and 504, honouring Retry-After) with a google.rpc.Status body in the request's encoding.
 */
export function otlpErrorRenderer(encoding: OtlpEncoding): ErrorRenderer {
  return (mapped, requestId) => {
    const status = create(RpcStatusSchema, {
      code: RPC_CODES[mapped.body.error.code],
      message: `${mapped.body.error.message} (request ${requestId})`,
    });
    const body = encoding === "protobuf" ? toBinary(RpcStatusSchema, status) : toJsonString(RpcStatusSchema, status);
    return respond(body, mapped.status, encoding, { ...mapped.headers, "x-request-id": requestId });
  };
}
