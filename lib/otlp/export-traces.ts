import type { SpokenForAgent } from "@/db/queries/ingest-keys";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { type BodyLimits, type IngestSettings, ingestEvents, type RejectedRecord, tooLarge } from "@/lib/ingest";
import { currentPriceTable } from "@/lib/model-prices/price-cache";
import { decodeExportRequest, type OtlpEncoding } from "./decode-request";
import { countSpans, type MappedExport, type MappingContext, mapExportRequest, type SpanRef } from "./map-spans";

export interface ExportInput {
  /** The request body, decompressed. */
  body: Buffer;
  encoding: OtlpEncoding;
  rateLimitPerMin: number | null;
  alsoSpeaksFor: SpokenForAgent[];
  limits: BodyLimits;
}

/** What an OTLP exporter is told: how many spans were refused and why (ExportTracePartialSuccess). */
export interface ExportResult {
  accepted: number;
  duplicates: number;
  rejectedSpans: number;
  /** Empty when every span was taken; otherwise the reasons, or a warning about spans not stored by design. */
  message: string;
}

const MAX_REASONS = 5;

/**
 * Stores an OTLP trace export through the ingest pipeline: spans become events of the agents they
 * name, validated, redacted, detected on and stored in one transaction as on the native door.
 * Resolves only after the commit; a request refused whole throws AppError.
 */
export async function exportTraces({ ctx, settings, input }: { ctx: Ctx; settings: IngestSettings; input: ExportInput }): Promise<ExportResult> {
  if (ctx.actor.type !== "agent") throw new AppError("FORBIDDEN", "Only an agent's ingest key may export traces");
  const keyAgentIds = new Set([ctx.actor.agentId, ...input.alsoSpeaksFor.map((a) => a.agentId)]);
  const mapped = readExport(input, { keyAgentIds, prices: await currentPriceTable(ctx.db) });
  const spanOf = (index: number): SpanRef | undefined => mapped.events[index]?.span;
  const refused = mapped.rejected.map((r) => `${describeSpan(r.span)}: ${r.reason}`);

  if (mapped.events.length === 0) {
    if (refused.length > 0) throw new AppError("VALIDATION", `No span could be stored. ${reasons(refused)}`);
    return { accepted: 0, duplicates: 0, rejectedSpans: 0, message: ignoredNote(mapped.ignored) };
  }
  let stored: Awaited<ReturnType<typeof ingestEvents>>;
  try {
    stored = await ingestEvents({
      ctx,
      settings,
      input: {
        records: mapped.events.map((e, index) => ({ index, value: e.event, consoleMetadata: e.consoleMetadata })),
        rateLimitPerMin: input.rateLimitPerMin,
        alsoSpeaksFor: input.alsoSpeaksFor,
      },
    });
  } catch (err) {
    const invalid = err instanceof AppError && err.code === "VALIDATION" ? rejectedRecords(err.details?.rejected) : null;
    if (!invalid) throw err;
    throw new AppError("VALIDATION", `No span could be stored. ${reasons([...refused, ...invalid.map((r) => describeRejected(r, spanOf(r.index)))])}`);
  }
  const all = [...refused, ...stored.rejected.map((r) => describeRejected(r, spanOf(r.index)))];
  return {
    accepted: stored.accepted,
    duplicates: stored.duplicates,
    rejectedSpans: all.length,
    message: [all.length > 0 ? reasons(all) : "", ignoredNote(mapped.ignored)].filter(Boolean).join(" "),
  };
}

/**
 * Decodes and maps in one synchronous step, so the decoded message tree (some 20 objects per span)
 * is garbage before the batch is stored, instead of outliving the transaction's awaits into the old
 * generation.
 */
function readExport(input: ExportInput, context: MappingContext): MappedExport {
  const request = decodeExportRequest(input.body, input.encoding);
  if (countSpans(request) > input.limits.maxEvents) throw tooLarge(input.limits);
  return mapExportRequest(request, context);
}

const describeSpan = (span: SpanRef | undefined) => (span ? `span ${span.index} (trace ${span.traceId}, span ${span.spanId})` : "a span");

/** Validation names event fields; the exporter knows spans, so say which span attribute a field came from. */
const FIELD_SOURCES: Record<string, string> = {
  timestamp: "start_time_unix_nano",
  duration_ms: "end_time_unix_nano",
  agent_id: "agent (gen_ai.agent.id / gen_ai.agent.name / service.name)",
  session_id: "session (gen_ai.conversation.id / session.id)",
  token_count: "token usage",
  cost_usd: "cost",
};

function describeRejected(record: RejectedRecord, span: SpanRef | undefined): string {
  const errors = record.errors.map((e) => `${FIELD_SOURCES[e.path] ?? e.path}: ${e.message}`).join("; ");
  return `${describeSpan(span)}: ${errors}`;
}

function reasons(list: string[]): string {
  const shown = list.slice(0, MAX_REASONS).join(" | ");
  return `${list.length} span(s) rejected: ${shown}${list.length > MAX_REASONS ? ` | and ${list.length - MAX_REASONS} more` : ""}`;
}

const ignoredNote = (n: number) =>
  n > 0 ? `${n} span(s) are not agent operations and have no agent span above them in this request; they were not stored.` : "";

function rejectedRecords(value: unknown): RejectedRecord[] | null {
  if (!Array.isArray(value)) return null;
  const records = value.filter(
    (r): r is RejectedRecord => typeof r === "object" && r !== null && "index" in r && typeof r.index === "number" && "errors" in r && Array.isArray(r.errors),
  );
  return records.length === value.length ? records : null;
}
