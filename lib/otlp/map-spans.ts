import * as crypto from "node:crypto";
import { type AgentEvent, MAX_METADATA_BYTES, MAX_METADATA_KEYS, MAX_SUMMARY_CHARS } from "@/lib/ingest/schemas";
import { estimateCost, type PriceTable } from "@/lib/model-prices/estimate-cost";
import { type AttrValue, countAttr, keysIn, numberAttr, objectOf, setOwn, stringAttr } from "./attributes";
import { contentText, INDEXED_CONTENT_KEY, indexedMessages, parseJsonText } from "./content";
import type { OtlpExport, OtlpSpan } from "./export-model";

/** Where a span sat in the request, for answers that name it. */
export interface SpanRef {
  /** Position among all spans of the request, resource by resource, scope by scope. */
  index: number;
  traceId: string;
  spanId: string;
}

export interface MappedSpan {
  span: SpanRef;
  /** The event as the native door would receive it; its metadata is the span's own text, redacted on the way in. */
  event: AgentEvent;
  /**
   * What the console derives itself and the sender cannot phrase: ids rendered as hex from the span's
   * bytes, names from the mapping's own vocabulary, counts. Stored beside the event's metadata
   * without redaction, which would otherwise read a span id of sixteen digits as a card number.
   */
  consoleMetadata: Record<string, unknown>;
}

export interface MappedExport {
  events: MappedSpan[];
  rejected: { span: SpanRef; reason: string }[];
  /** Spans that are no agent operation and have no agent span above them in this request: not stored. */
  ignored: number;
}

export interface MappingContext {
  /** The agents the sending key speaks for: a process's service.name among them may be the caller of an agent. */
  keyAgentIds: ReadonlySet<string>;
  prices: PriceTable;
}

type ActionType = "llm_call" | "tool_call" | "decision";

interface Operation {
  actionType: ActionType;
  /** The operation as the mapping's tables name it (`chat`, `execute_tool`, `LLM`, `tool`). */
  name: string;
  /** An agent invoked by another: an agent-to-agent message. */
  invokesAgent: boolean;
}

/** A resource's attributes, read once for all of its spans. */
interface ResourceInfo {
  serviceName: string | null;
  /** The agent service.name names, when it names one. */
  serviceAgent: string | null;
  /** The attributes metadata keeps (service.name aside), clipped, each with its serialised size. */
  entries: SizedEntry[];
  /** All of them as one object, shared by the spans they fit into whole. */
  whole: Record<string, AttrValue>;
  wholeSize: number;
  wholeKeys: number;
}

interface SizedEntry {
  key: string;
  value: AttrValue;
  size: number;
  /** The keys it adds to the metadata, its own included. */
  keys: number;
}

interface SpanInfo {
  ref: SpanRef;
  span: OtlpSpan;
  parentId: string;
  attrs: Map<string, AttrValue>;
  resource: ResourceInfo;
  scope: string;
  operation: Operation | null;
  agentId: string | null;
  sessionId: string;
  depth: number;
  /** The last walk up the tree that passed this span (cycle detection without a set per walk). */
  walk: number;
  /** The nearest span above this one in the request that is an agent's operation. */
  agentAbove: SpanInfo | null;
  touched: Record<string, AttrValue>[];
  touchedDropped: number;
}

const operations = (entries: [string, ActionType, boolean?][]) =>
  new Map(entries.map(([name, actionType, invokesAgent]) => [name, { actionType, name, invokesAgent: invokesAgent ?? false }]));
const GEN_AI_OPERATIONS = operations([
  ["chat", "llm_call"],
  ["text_completion", "llm_call"],
  ["generate_content", "llm_call"],
  ["embeddings", "llm_call"],
  ["execute_tool", "tool_call"],
  ["retrieval", "tool_call"],
  ["invoke_agent", "decision", true],
  ["create_agent", "decision"],
  ["invoke_workflow", "decision"],
]);
const OPENINFERENCE_KINDS = operations([
  ["LLM", "llm_call"],
  ["EMBEDDING", "llm_call"],
  ["TOOL", "tool_call"],
  ["RETRIEVER", "tool_call"],
  ["RERANKER", "tool_call"],
  ["AGENT", "decision", true],
  ["CHAIN", "decision"],
  ["GUARDRAIL", "decision"],
  ["EVALUATOR", "decision"],
]);
const OPENLLMETRY_KINDS = operations([
  ["tool", "tool_call"],
  ["agent", "decision"],
  ["workflow", "decision"],
  ["task", "decision"],
]);
const OPENLLMETRY_REQUESTS = operations([
  ["chat", "llm_call"],
  ["completion", "llm_call"],
  ["embedding", "llm_call"],
]);

/** The operation a span's conventions name, from the tables above only (Maps: a name such as "constructor" is none). */
function classifySpan(attrs: Map<string, AttrValue>): Operation | null {
  return (
    GEN_AI_OPERATIONS.get(stringAttr(attrs, "gen_ai.operation.name")?.toLowerCase() ?? "") ??
    OPENINFERENCE_KINDS.get(stringAttr(attrs, "openinference.span.kind")?.toUpperCase() ?? "") ??
    OPENLLMETRY_KINDS.get(stringAttr(attrs, "traceloop.span.kind")?.toLowerCase() ?? "") ??
    OPENLLMETRY_REQUESTS.get(stringAttr(attrs, "llm.request.type")?.toLowerCase() ?? "") ??
    null
  );
}

/** gen_ai.agent.id, else gen_ai.agent.name (OpenInference: agent.name), else the process's service.name. */
function agentOf(attrs: Map<string, AttrValue>, resource: ResourceInfo): string | null {
  const own = stringAttr(attrs, "gen_ai.agent.id", "gen_ai.agent.name", "agent.name");
  return own ? own.trim() : resource.serviceAgent;
}

function resourceInfo(attrs: Map<string, AttrValue>): ResourceInfo {
  const serviceName = stringAttr(attrs, "service.name");
  const service = serviceName?.trim();
  const entries: SizedEntry[] = [];
  const whole: Record<string, AttrValue> = {};
  let wholeSize = 0;
  let wholeKeys = 0;
  for (const [key, raw] of attrs) {
    if (key === "service.name") continue;
    const entry = sizedEntry(key, raw);
    if (!setOwn(whole, key, entry.value)) continue;
    entries.push(entry);
    wholeSize += entry.size;
    wholeKeys += entry.keys;
  }
  return {
    serviceName,
    // The SDKs' placeholder when no service name was configured: it names no agent.
    serviceAgent: service && !service.startsWith("unknown_service") ? service : null,
    entries,
    whole,
    wholeSize,
    wholeKeys,
  };
}

const hex = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString("hex");

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

function idProblem(span: OtlpSpan): string | null {
  if (span.traceId.length !== 16 || isZero(span.traceId))
    return `trace_id is ${span.traceId.length} bytes${span.traceId.length === 16 ? " of zeros" : ""}; a trace id is 16 bytes, not all zero`;
  if (span.spanId.length !== 8 || isZero(span.spanId))
    return `span_id is ${span.spanId.length} bytes${span.spanId.length === 8 ? " of zeros" : ""}; a span id is 8 bytes, not all zero`;
  if (span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8)
    return `parent_span_id is ${span.parentSpanId.length} bytes; it is 8 bytes, or empty for a root span`;
  if (span.startTimeUnixNano === 0n) return "start_time_unix_nano is missing";
  return null;
}

/** crypto.hash (Node 20.12 and later) skips createHash's stream object: half the cost for texts this short. */
const sha256Hex = (text: string) =>
  typeof crypto.hash === "function" ? crypto.hash("sha256", text, "hex") : crypto.createHash("sha256").update(text).digest("hex");

/**
 * The event id of a span: a UUID derived from its trace and span ids (SHA-256, formatted as a
 * version 8 UUID), so an exporter's retry of the same span is stored once.
 */
export function spanEventId(traceId: string, spanId: string): string {
  const h = sha256Hex(`otlp-span:${traceId}:${spanId}`);
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function countSpans(request: OtlpExport): number {
  let n = 0;
  for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/**
 * Maps an OTLP export to AgentSOC events: GenAI, OpenInference and OpenLLMetry operations become
 * llm_call / tool_call / decision (or error) events; other spans (HTTP, database) become resources
 * touched by the agent span above them. A span that cannot be mapped is rejected with the reason.
 */
export function mapExportRequest(request: OtlpExport, context: MappingContext): MappedExport {
  const rejected: MappedExport["rejected"] = [];
  const spans: SpanInfo[] = [];
  let index = 0;
  let lastTrace: { bytes: Uint8Array; hex: string } = { bytes: new Uint8Array(), hex: "" };
  for (const rs of request.resourceSpans) {
    const resource = resourceInfo(rs.resourceAttributes);
    for (const ss of rs.scopeSpans) {
      const scope = ss.scope ? [ss.scope.name, ss.scope.version].filter(Boolean).join("@") : "";
      for (const span of ss.spans) {
        // An export's spans mostly share a few traces: render each trace id once.
        if (!sameBytes(span.traceId, lastTrace.bytes)) lastTrace = { bytes: span.traceId, hex: hex(span.traceId) };
        const ref = { index: index++, traceId: lastTrace.hex, spanId: hex(span.spanId) };
        const problem = idProblem(span);
        if (problem) {
          rejected.push({ span: ref, reason: problem });
          continue;
        }
        const attrs = span.attributes;
        const operation = classifySpan(attrs);
        spans.push({
          ref,
          span,
          parentId: span.parentSpanId.length > 0 ? hex(span.parentSpanId) : "",
          attrs,
          resource,
          scope,
          operation,
          agentId: operation ? agentOf(attrs, resource) : null,
          sessionId: stringAttr(attrs, "gen_ai.conversation.id", "session.id") ?? ref.traceId,
          depth: 0,
          walk: -1,
          agentAbove: null,
          touched: [],
          touchedDropped: 0,
        });
      }
    }
  }

  const byTrace = new Map<string, Map<string, SpanInfo>>();
  for (const s of spans) {
    const trace = byTrace.get(s.ref.traceId) ?? new Map<string, SpanInfo>();
    if (!trace.has(s.ref.spanId)) trace.set(s.ref.spanId, s);
    byTrace.set(s.ref.traceId, trace);
  }
  const parentOf = (s: SpanInfo) => (s.parentId ? byTrace.get(s.ref.traceId)?.get(s.parentId) : undefined);

  let ignored = 0;
  const agentSpans: SpanInfo[] = [];
  for (let walk = 0; walk < spans.length; walk++) {
    const s = spans[walk] as SpanInfo;
    // Ancestors in this request, nearest first; a span met twice (a cycle of hostile ids) ends the walk.
    s.walk = walk;
    for (let p = parentOf(s); p && p.walk !== walk; p = parentOf(p)) {
      p.walk = walk;
      s.depth++;
      if (!s.agentAbove && p.operation && p.agentId) s.agentAbove = p;
    }
    if (s.operation) {
      if (s.agentId) agentSpans.push(s);
      else
        rejected.push({
          span: s.ref,
          reason: "no agent: set gen_ai.agent.id or gen_ai.agent.name on the span, or service.name on the resource, to a registered agent id",
        });
      continue;
    }
    const owner = s.agentAbove;
    if (!owner) {
      ignored++;
      continue;
    }
    if (owner.touched.length < MAX_TOUCHED) owner.touched.push(touchedResource(s));
    else owner.touchedDropped++;
  }

  const sequence = actionSequences(agentSpans);
  const events = agentSpans.map((s) => {
    const caller = s.operation?.invokesAgent ? callerOf(s, context.keyAgentIds) : null;
    return toEvent(s, sequence.get(s) ?? 0, caller, context.prices);
  });
  return { events, rejected, ignored };
}

/** Per agent and session, the spans' order by start time (a parent before a child that starts with it). */
function actionSequences(spans: SpanInfo[]): Map<SpanInfo, number> {
  const sessions = new Map<string, SpanInfo[]>();
  for (const s of spans) {
    const key = `${s.agentId}\u0000${s.sessionId}`;
    const list = sessions.get(key);
    if (list) list.push(s);
    else sessions.set(key, [s]);
  }
  const order = new Map<SpanInfo, number>();
  for (const list of sessions.values()) {
    list.sort((a, b) =>
      a.span.startTimeUnixNano < b.span.startTimeUnixNano ? -1 : a.span.startTimeUnixNano > b.span.startTimeUnixNano ? 1 : a.depth - b.depth,
    );
    for (const [i, s] of list.entries()) order.set(s, i);
  }
  return order;
}

/**
 * Who invoked an agent: the agent of the nearest agent span above it in this request, else the
 * process's service.name when it names another agent the key speaks for.
 */
function callerOf(s: SpanInfo, keyAgentIds: ReadonlySet<string>): string | null {
  if (s.agentAbove) return s.agentAbove.agentId !== s.agentId ? s.agentAbove.agentId : null;
  const service = s.resource.serviceName;
  return service && service !== s.agentId && keyAgentIds.has(service) ? service : null;
}

const MAX_TOUCHED = 20;
const RESOURCE_KEYS = [
  "http.request.method",
  "http.method",
  "url.full",
  "http.url",
  "http.route",
  "server.address",
  "server.port",
  "http.response.status_code",
  "http.status_code",
  "db.system.name",
  "db.system",
  "db.namespace",
  "db.name",
  "db.operation.name",
  "db.query.text",
  "db.statement",
  "rpc.system",
  "rpc.service",
  "rpc.method",
  "messaging.system",
  "messaging.destination.name",
  "peer.service",
  "network.peer.address",
  "mcp.method.name",
];
const MAX_VALUE_CHARS = 2_048;

const clipValue = (value: AttrValue): AttrValue =>
  typeof value === "string" && value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;

function touchedResource(s: SpanInfo): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = { name: s.span.name.slice(0, 256), kind: SPAN_KINDS[s.span.kind] ?? "unspecified", span_id: s.ref.spanId };
  for (const key of RESOURCE_KEYS) {
    const value = s.attrs.get(key);
    if (value !== undefined && value !== null) out[key] = typeof value === "string" ? value.slice(0, 512) : value;
  }
  if (s.span.status?.code === 2) out.error = (s.span.status.message || "error").slice(0, 512);
  return out;
}

/** The touched resources under the metadata keys the forensic analysis reads (url, host, database), for the blast radius. */
function analyzedResourceKeys(touched: AttrValue[]): Record<string, string[]> {
  const pick = (...keys: string[]) => [
    ...new Set(
      touched.flatMap((t) => {
        if (typeof t !== "object" || t === null || Array.isArray(t)) return [];
        const value = keys.map((k) => t[k]).find((v) => typeof v === "string" && v !== "");
        return typeof value === "string" ? [value] : [];
      }),
    ),
  ];
  const found = {
    url: pick("url.full", "http.url"),
    host: pick("server.address", "peer.service", "network.peer.address"),
    database: pick("db.namespace", "db.name"),
  };
  return Object.fromEntries(Object.entries(found).filter(([, values]) => values.length > 0));
}

const SPAN_KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"];

const plain = (value: AttrValue | undefined): string =>
  value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);

/** Span events that carried message content before conventions v1.37, with the role each speaks for. */
const INPUT_EVENTS = new Map([
  ["gen_ai.system.message", "system"],
  ["gen_ai.user.message", "user"],
  ["gen_ai.assistant.message", "assistant"],
  ["gen_ai.tool.message", "tool"],
  ["gen_ai.content.prompt", "prompt"],
]);
const OUTPUT_EVENTS = new Map([
  ["gen_ai.choice", "assistant"],
  ["gen_ai.content.completion", "completion"],
]);
const EVENT_CONTENT_KEYS = ["content", "message", "gen_ai.prompt", "gen_ai.completion", "gen_ai.event.content", "body"];

const hasRole = (v: AttrValue | undefined) => typeof v === "object" && v !== null && !Array.isArray(v) && typeof v.role === "string";

/** Whether content already says who speaks (a message, or a list of them), so no role is put before it. */
function namesItsRole(value: AttrValue | undefined): boolean {
  const parsed = typeof value === "string" ? parseJsonText(value) : value;
  return Array.isArray(parsed) ? parsed.some(hasRole) : hasRole(parsed);
}

/** Message content carried by span events, as instrumentations on conventions v1.36 and earlier emit it. */
function eventsText(span: OtlpSpan, roles: Map<string, string>): string {
  const lines: string[] = [];
  for (const e of span.events) {
    const eventRole = roles.get(e.name);
    if (!eventRole) continue;
    const attrs = e.attributes;
    const key = EVENT_CONTENT_KEYS.find((k) => contentText(attrs.get(k)) !== "");
    if (!key) continue;
    const value = attrs.get(key);
    lines.push(namesItsRole(value) ? contentText(value) : `${stringAttr(attrs, "role") ?? eventRole}: ${contentText(value)}`);
  }
  return lines.join("\n");
}

/** Attributes whose content becomes the event's summaries; metadata does not repeat them. */
const CONTENT_KEYS = new Set([
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.call.result",
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.retrieval.query.text",
  "gen_ai.retrieval.documents",
  "input.value",
  "output.value",
  "traceloop.entity.input",
  "traceloop.entity.output",
]);
/** Attributes the event's own fields already carry (agent, session, operation, tool, model, tokens, cost). */
const MAPPED_KEYS = new Set([
  "gen_ai.operation.name",
  "gen_ai.agent.id",
  "gen_ai.agent.name",
  "agent.name",
  "gen_ai.conversation.id",
  "session.id",
  "gen_ai.tool.name",
  "tool.name",
  "gen_ai.request.model",
  "gen_ai.response.model",
  "llm.model_name",
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.prompt_tokens",
  "gen_ai.usage.completion_tokens",
  "llm.token_count.prompt",
  "llm.token_count.completion",
  "llm.token_count.total",
  "gen_ai.usage.cost",
  "llm.cost.total",
  "openinference.span.kind",
  "traceloop.span.kind",
  "llm.request.type",
]);
const RETRIEVED_DOCUMENT = /^retrieval\.documents\.\d+\.document\.content$/;
const INDEXED_PREFIXES = ["gen_ai.prompt.", "gen_ai.completion.", "llm.input_messages.", "llm.output_messages.", "retrieval.documents."];
/** Content (in the summaries) and mapped fields are not repeated in metadata.attributes. */
function isCarriedElsewhere(key: string): boolean {
  let carried = carriedElsewhere.get(key);
  if (carried === undefined) {
    carried =
      MAPPED_KEYS.has(key) ||
      CONTENT_KEYS.has(key) ||
      (INDEXED_PREFIXES.some((p) => key.startsWith(p)) && (INDEXED_CONTENT_KEY.test(key) || RETRIEVED_DOCUMENT.test(key)));
    if (carriedElsewhere.size >= CARRIED_CACHE_LIMIT) carriedElsewhere.clear();
    carriedElsewhere.set(key, carried);
  }
  return carried;
}
// Spans of one instrumentation repeat the same attribute names: each is classified once.
const carriedElsewhere = new Map<string, boolean>();
const CARRIED_CACHE_LIMIT = 4096;

/** Where a summary's text may come from, tried in order: the first that is not blank wins. */
type TextSource =
  | { from: "attribute"; key: string }
  | { from: "indexed"; prefix: string }
  | { from: "events"; roles: Map<string, string> }
  | { from: "retrieved documents" };

const attribute = (key: string): TextSource => ({ from: "attribute", key });
const indexed = (prefix: string): TextSource => ({ from: "indexed", prefix });
const TOOL_INPUT = [
  attribute("gen_ai.tool.call.arguments"),
  attribute("input.value"),
  attribute("traceloop.entity.input"),
  attribute("gen_ai.retrieval.query.text"),
];
const TOOL_OUTPUT: TextSource[] = [
  attribute("gen_ai.tool.call.result"),
  attribute("output.value"),
  attribute("traceloop.entity.output"),
  attribute("gen_ai.retrieval.documents"),
  { from: "retrieved documents" },
];
const MESSAGES_IN: TextSource[] = [
  attribute("gen_ai.input.messages"),
  indexed("llm.input_messages"),
  indexed("gen_ai.prompt"),
  attribute("gen_ai.prompt"),
  attribute("input.value"),
  attribute("traceloop.entity.input"),
  { from: "events", roles: INPUT_EVENTS },
];
const MESSAGES_OUT: TextSource[] = [
  attribute("gen_ai.output.messages"),
  indexed("llm.output_messages"),
  indexed("gen_ai.completion"),
  attribute("gen_ai.completion"),
  attribute("output.value"),
  attribute("traceloop.entity.output"),
  { from: "events", roles: OUTPUT_EVENTS },
];

/** Tool input and output are shown as sent (`plain`); messages are rendered as readable text (`contentText`). */
function firstText(s: SpanInfo, sources: TextSource[], render: (value: AttrValue | undefined) => string): string {
  for (const source of sources) {
    let text: string;
    if (source.from === "attribute") text = render(s.attrs.get(source.key));
    else if (source.from === "indexed") text = contentText(indexedMessages(s.attrs, source.prefix));
    else if (source.from === "events") text = eventsText(s.span, source.roles);
    else
      text = [...s.attrs.entries()]
        .filter(([k]) => RETRIEVED_DOCUMENT.test(k))
        .map(([, v]) => plain(v))
        .join("\n");
    if (text.trim() !== "") return text;
  }
  return "";
}

function summaries(s: SpanInfo, actionType: ActionType): { input: string; output: string } {
  if (actionType === "tool_call") return { input: firstText(s, TOOL_INPUT, plain), output: firstText(s, TOOL_OUTPUT, plain) };
  const system = contentText(s.attrs.get("gen_ai.system_instructions"));
  const input = firstText(s, MESSAGES_IN, contentText);
  return { input: system ? `system: ${system}${input ? `\n${input}` : ""}` : input, output: firstText(s, MESSAGES_OUT, contentText) };
}

/** Over-long text keeps its start and end (where instructions and injected text tend to sit), with the cut marked. */
function clip(text: string, max: number): { text: string; clipped: number | null } {
  if (text.length <= max) return { text, clipped: null };
  const marker = `\n…[${text.length - max} characters cut]…\n`;
  const head = Math.floor((max - marker.length) * 0.75);
  const tail = max - marker.length - head;
  return { text: `${text.slice(0, head)}${marker}${text.slice(text.length - tail)}`, clipped: text.length };
}

function errorOf(s: SpanInfo): string | null {
  const errorType = stringAttr(s.attrs, "error.type");
  if (s.span.status?.code !== 2 && !errorType) return null;
  const exception = s.span.events.find((e) => e.name === "exception");
  const exceptionMessage = exception ? stringAttr(exception.attributes, "exception.message") : null;
  return s.span.status?.message || exceptionMessage || errorType || "error";
}

function toEvent(s: SpanInfo, actionSequence: number, caller: string | null, prices: PriceTable): MappedSpan {
  const operation = s.operation ?? { actionType: "decision" as const, name: "", invokesAgent: false };
  const a = s.attrs;
  const text = summaries(s, operation.actionType);
  const input = clip(text.input, MAX_SUMMARY_CHARS);
  const output = clip(text.output, MAX_SUMMARY_CHARS);
  const error = errorOf(s);
  const model = stringAttr(a, "gen_ai.response.model", "gen_ai.request.model", "llm.model_name");
  const inputTokens = countAttr(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt");
  const outputTokens = countAttr(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion");
  const tokenCount =
    inputTokens !== null || outputTokens !== null ? (inputTokens ?? 0) + (outputTokens ?? 0) : countAttr(a, "llm.token_count.total", "llm.usage.total_tokens");
  const spanCost = numberAttr(a, "gen_ai.usage.cost", "llm.cost.total");
  const estimated = spanCost === null && operation.actionType === "llm_call" ? estimateCost(prices, model, { input: inputTokens, output: outputTokens }) : null;
  const toolName =
    operation.actionType === "tool_call" ? (stringAttr(a, "gen_ai.tool.name", "tool.name", "traceloop.entity.name") ?? s.span.name).slice(0, 256) : null;
  const startNs = s.span.startTimeUnixNano;
  const durationNs = s.span.endTimeUnixNano > startNs ? s.span.endTimeUnixNano - startNs : 0n;

  const consoleMetadata: Record<string, unknown> = {
    trace_id: s.ref.traceId,
    span_id: s.ref.spanId,
    parent_span_id: s.parentId || null,
    span_kind: SPAN_KINDS[s.span.kind] ?? "unspecified",
    operation: operation.name,
  };
  if (inputTokens !== null) consoleMetadata.input_tokens = inputTokens;
  if (outputTokens !== null) consoleMetadata.output_tokens = outputTokens;
  if (spanCost !== null) consoleMetadata.cost_source = "span";
  else if (estimated !== null) consoleMetadata.cost_source = "price_table";
  // A registered agent the key speaks for (any other is refused as impersonation): an id, stored as agent_id is.
  if (caller) consoleMetadata.sender_agent = caller;
  if (input.clipped || output.clipped) {
    consoleMetadata.clipped_chars = {
      ...(input.clipped ? { input_summary: input.clipped } : {}),
      ...(output.clipped ? { output_summary: output.clipped } : {}),
    };
  }
  const metadata = spanMetadata(s, model, consoleMetadata);

  return {
    span: s.ref,
    event: {
      timestamp: Number(startNs / 1000n) / 1e6,
      agent_id: s.agentId ?? "",
      session_id: s.sessionId,
      action_type: error ? "error" : operation.actionType,
      action_name: (s.span.name || operation.name).slice(0, 256),
      input_summary: input.text,
      output_summary: output.text,
      duration_ms: Number(durationNs / 1000n) / 1000,
      token_count: tokenCount,
      cost_usd: spanCost ?? estimated,
      tool_name: toolName,
      tool_args_hash: operation.actionType === "tool_call" && text.input ? `sha256:${sha256Hex(text.input)}` : null,
      error: error ? error.slice(0, MAX_SUMMARY_CHARS) : null,
      metadata,
      action_sequence: actionSequence,
      event_id: spanEventId(s.ref.traceId, s.ref.spanId),
    },
    consoleMetadata,
  };
}

/** How much of the metadata the span's own extras (resources touched, attributes, events, resource) may take, in serialised characters. */
const EXTRAS_BUDGET = MAX_METADATA_BYTES - 6 * 1024;
const TOUCHED_BUDGET = 8 * 1024;
/** How many of the metadata's keys the span's own extras may take; the rest are the mapping's own (status, model, resources, …). */
const EXTRAS_KEYS = MAX_METADATA_KEYS - 200;
const MAX_EVENTS = 50;
const MAX_LINKS = 20;

/** An attribute as metadata keeps it (long strings cut), with what it adds to the serialised metadata. */
function sizedEntry(key: string, raw: AttrValue): SizedEntry {
  const value = clipValue(raw);
  return { key, value, size: JSON.stringify(key).length + JSON.stringify(value).length + 2, keys: 1 + keysIn(value) };
}

/**
 * Everything else the span carries, with trace_id, span_id and parent_span_id for the span tree and
 * the link to the tracing tool. It stays under the event's metadata limit: what does not fit is
 * counted in `dropped`, never a reason to refuse the span. The sender's text goes into the metadata
 * returned (redacted on the way in); what the console derives (links, dropped) into `consoleMetadata`.
 */
function spanMetadata(s: SpanInfo, model: string | null, consoleMetadata: Record<string, unknown>): Record<string, unknown> {
  const span = s.span;
  let left = EXTRAS_BUDGET;
  let keysLeft = EXTRAS_KEYS;
  const touched: AttrValue[] = [];
  let droppedTouched = s.touchedDropped;
  for (const entry of s.touched) {
    const size = JSON.stringify(entry).length + 1;
    const keys = keysIn(entry);
    if (size > Math.min(left, TOUCHED_BUDGET - (EXTRAS_BUDGET - left)) || keys > keysLeft) {
      droppedTouched++;
      continue;
    }
    touched.push(entry);
    left -= size;
    keysLeft -= keys;
  }
  const attributes: Record<string, AttrValue> = {};
  let droppedAttributes = 0;
  for (const [key, raw] of s.attrs) {
    if (isCarriedElsewhere(key)) continue;
    const { value, size, keys } = sizedEntry(key, raw);
    if (size > left || keys > keysLeft || !setOwn(attributes, key, value)) {
      droppedAttributes++;
      continue;
    }
    left -= size;
    keysLeft -= keys;
  }
  const events: AttrValue[] = [];
  let droppedEvents = 0;
  for (const e of span.events) {
    if (INPUT_EVENTS.has(e.name) || OUTPUT_EVENTS.has(e.name)) continue;
    const entry: AttrValue = { name: e.name.slice(0, 256), time_unix_nano: e.timeUnixNano.toString(), attributes: objectOf(e.attributes) };
    const size = JSON.stringify(entry).length + 1;
    const keys = keysIn(entry);
    if (size > left || keys > keysLeft || events.length >= MAX_EVENTS) {
      droppedEvents++;
      continue;
    }
    events.push(entry);
    left -= size;
    keysLeft -= keys;
  }
  const links = span.links.slice(0, MAX_LINKS).map((l) => ({ trace_id: hex(l.traceId), span_id: hex(l.spanId) }));
  let resource = s.resource.whole;
  let droppedResource = 0;
  if (s.resource.wholeSize > left || s.resource.wholeKeys > keysLeft) {
    resource = {};
    for (const { key, value, size, keys } of s.resource.entries) {
      if (size > left || keys > keysLeft) {
        droppedResource++;
        continue;
      }
      setOwn(resource, key, value);
      left -= size;
      keysLeft -= keys;
    }
  }
  const resourceKept = s.resource.entries.length - droppedResource;

  const metadata: Record<string, unknown> = {};
  if (span.status?.code === 2) metadata.status = { code: "error", message: span.status.message.slice(0, 1024) };
  // The usual set-up names the agent by service.name: the event's agent_id says it already.
  if (s.resource.serviceName && s.resource.serviceName.trim() !== s.agentId) metadata.service_name = s.resource.serviceName.slice(0, 256);
  if (s.scope) metadata.scope = s.scope.slice(0, 256);
  if (model) metadata.model = model.slice(0, 256);
  if (touched.length > 0) Object.assign(metadata, { resources_touched: touched }, analyzedResourceKeys(touched));
  metadata.attributes = attributes;
  if (events.length > 0) metadata.events = events;
  if (resourceKept > 0) metadata.resource = resource;

  if (links.length > 0) consoleMetadata.links = links;
  const dropped: Record<string, number> = {};
  if (droppedAttributes + span.droppedAttributesCount > 0) dropped.attributes = droppedAttributes + span.droppedAttributesCount;
  if (droppedEvents + span.droppedEventsCount > 0) dropped.events = droppedEvents + span.droppedEventsCount;
  if (span.links.length > links.length || span.droppedLinksCount > 0) dropped.links = span.links.length - links.length + span.droppedLinksCount;
  if (droppedResource > 0) dropped.resource_attributes = droppedResource;
  if (droppedTouched > 0) dropped.resources_touched = droppedTouched;
  if (Object.keys(dropped).length > 0) consoleMetadata.dropped = dropped;
  return metadata;
}
