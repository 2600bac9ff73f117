import { createHash } from "node:crypto";
import { type AgentEvent, MAX_METADATA_BYTES, MAX_SUMMARY_CHARS } from "@/lib/ingest/schemas";
import { estimateCost, type PriceTable } from "@/lib/model-prices/estimate-cost";
import { type AttrValue, attributeMap, attributesToObject, countAttr, numberAttr, stringAttr } from "./attributes";
import { contentText, INDEXED_CONTENT_KEY, indexedMessages, parseJsonText } from "./content";
import type { ExportTraceServiceRequest, Span } from "./proto/gen/otlp_trace_pb";

/** Where a span sat in the request, for answers that name it. */
export interface SpanRef {
  /** Position among all spans of the request, resource by resource, scope by scope. */
  index: number;
  traceId: string;
  spanId: string;
}

export interface MappedExport {
  events: { span: SpanRef; event: AgentEvent }[];
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
  /** The operation as the span's convention names it (`chat`, `execute_tool`, `LLM`, `tool`). */
  name: string;
  /** An agent invoked by another: an agent-to-agent message. */
  invokesAgent: boolean;
}

interface SpanInfo {
  ref: SpanRef;
  span: Span;
  parentId: string;
  attrs: Map<string, AttrValue>;
  resource: Map<string, AttrValue>;
  scope: string;
  operation: Operation | null;
  agentId: string | null;
  depth: number;
  touched: Record<string, AttrValue>[];
  touchedDropped: number;
}

const GEN_AI_OPERATIONS: Record<string, { actionType: ActionType; invokesAgent?: boolean }> = {
  chat: { actionType: "llm_call" },
  text_completion: { actionType: "llm_call" },
  generate_content: { actionType: "llm_call" },
  embeddings: { actionType: "llm_call" },
  execute_tool: { actionType: "tool_call" },
  retrieval: { actionType: "tool_call" },
  invoke_agent: { actionType: "decision", invokesAgent: true },
  create_agent: { actionType: "decision" },
  invoke_workflow: { actionType: "decision" },
};
const OPENINFERENCE_KINDS: Record<string, { actionType: ActionType; invokesAgent?: boolean }> = {
  LLM: { actionType: "llm_call" },
  EMBEDDING: { actionType: "llm_call" },
  TOOL: { actionType: "tool_call" },
  RETRIEVER: { actionType: "tool_call" },
  RERANKER: { actionType: "tool_call" },
  AGENT: { actionType: "decision", invokesAgent: true },
  CHAIN: { actionType: "decision" },
  GUARDRAIL: { actionType: "decision" },
  EVALUATOR: { actionType: "decision" },
};
const OPENLLMETRY_KINDS: Record<string, ActionType> = { tool: "tool_call", agent: "decision", workflow: "decision", task: "decision" };
const OPENLLMETRY_REQUESTS: Record<string, ActionType> = { chat: "llm_call", completion: "llm_call", embedding: "llm_call" };

export function classifySpan(attrs: Map<string, AttrValue>): Operation | null {
  const genAi = stringAttr(attrs, "gen_ai.operation.name")?.toLowerCase();
  const byGenAi = genAi ? GEN_AI_OPERATIONS[genAi] : undefined;
  if (genAi && byGenAi) return { ...byGenAi, name: genAi, invokesAgent: byGenAi.invokesAgent ?? false };
  const kind = stringAttr(attrs, "openinference.span.kind")?.toUpperCase();
  const byKind = kind ? OPENINFERENCE_KINDS[kind] : undefined;
  if (kind && byKind) return { ...byKind, name: kind, invokesAgent: byKind.invokesAgent ?? false };
  const traceloop = stringAttr(attrs, "traceloop.span.kind")?.toLowerCase();
  const byTraceloop = traceloop ? OPENLLMETRY_KINDS[traceloop] : undefined;
  if (traceloop && byTraceloop) return { actionType: byTraceloop, name: traceloop, invokesAgent: false };
  const request = stringAttr(attrs, "llm.request.type")?.toLowerCase();
  const byRequest = request ? OPENLLMETRY_REQUESTS[request] : undefined;
  if (request && byRequest) return { actionType: byRequest, name: request, invokesAgent: false };
  return null;
}

/** gen_ai.agent.id, else gen_ai.agent.name (OpenInference: agent.name), else the process's service.name. */
export function agentOf(attrs: Map<string, AttrValue>, resource: Map<string, AttrValue>): string | null {
  const own = stringAttr(attrs, "gen_ai.agent.id", "gen_ai.agent.name", "agent.name");
  if (own) return own.trim();
  const service = stringAttr(resource, "service.name")?.trim();
  // The SDKs' placeholder when no service name was configured: it names no agent.
  return service && !service.startsWith("unknown_service") ? service : null;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

function idProblem(span: Span): string | null {
  if (span.traceId.length !== 16 || isZero(span.traceId)) return `trace_id is ${span.traceId.length} bytes${span.traceId.length === 16 ? " of zeros" : ""}; a trace id is 16 bytes, not all zero`;
  if (span.spanId.length !== 8 || isZero(span.spanId)) return `span_id is ${span.spanId.length} bytes${span.spanId.length === 8 ? " of zeros" : ""}; a span id is 8 bytes, not all zero`;
  if (span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8) return `parent_span_id is ${span.parentSpanId.length} bytes; it is 8 bytes, or empty for a root span`;
  if (span.startTimeUnixNano === 0n) return "start_time_unix_nano is missing";
  return null;
}

/**
 * The event id of a span: a UUID derived from its trace and span ids (SHA-256, formatted as a
 * version 8 UUID), so an exporter's retry of the same span is stored once.
 */
export function spanEventId(traceId: string, spanId: string): string {
  const h = createHash("sha256").update(`otlp-span:${traceId}:${spanId}`).digest("hex");
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function countSpans(request: ExportTraceServiceRequest): number {
  let n = 0;
  for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/**
 * Maps an OTLP export to AgentSOC events: GenAI, OpenInference and OpenLLMetry operations become
 * llm_call / tool_call / decision (or error) events; other spans (HTTP, database) become resources
 * touched by the agent span above them. A span that cannot be mapped is rejected with the reason.
 */
export function mapExportRequest(request: ExportTraceServiceRequest, context: MappingContext): MappedExport {
  const rejected: MappedExport["rejected"] = [];
  const spans: SpanInfo[] = [];
  let index = 0;
  for (const rs of request.resourceSpans) {
    const resource = attributeMap(rs.resource?.attributes ?? []);
    for (const ss of rs.scopeSpans) {
      const scope = ss.scope ? [ss.scope.name, ss.scope.version].filter(Boolean).join("@") : "";
      for (const span of ss.spans) {
        const ref = { index: index++, traceId: hex(span.traceId), spanId: hex(span.spanId) };
        const problem = idProblem(span);
        if (problem) {
          rejected.push({ span: ref, reason: problem });
          continue;
        }
        const attrs = attributeMap(span.attributes);
        const operation = classifySpan(attrs);
        spans.push({
          ref,
          span,
          parentId: hex(span.parentSpanId),
          attrs,
          resource,
          scope,
          operation,
          agentId: operation ? agentOf(attrs, resource) : null,
          depth: 0,
          touched: [],
          touchedDropped: 0,
        });
      }
    }
  }

  const byId = new Map<string, SpanInfo>();
  for (const s of spans) if (!byId.has(`${s.ref.traceId}:${s.ref.spanId}`)) byId.set(`${s.ref.traceId}:${s.ref.spanId}`, s);
  const parentOf = (s: SpanInfo) => (s.parentId ? byId.get(`${s.ref.traceId}:${s.parentId}`) : undefined);
  /** Ancestors in this request, nearest first; a cycle (hostile ids) ends the walk. */
  const ancestors = (s: SpanInfo): SpanInfo[] => {
    const seen = new Set<SpanInfo>([s]);
    const found: SpanInfo[] = [];
    for (let p = parentOf(s); p && !seen.has(p); p = parentOf(p)) {
      seen.add(p);
      found.push(p);
    }
    return found;
  };

  let ignored = 0;
  const agentSpans: SpanInfo[] = [];
  for (const s of spans) {
    const above = ancestors(s);
    s.depth = above.length;
    if (s.operation) {
      if (s.agentId) agentSpans.push(s);
      else rejected.push({ span: s.ref, reason: "no agent: set gen_ai.agent.id or gen_ai.agent.name on the span, or service.name on the resource, to a registered agent id" });
      continue;
    }
    const owner = above.find((a) => a.operation && a.agentId);
    if (!owner) {
      ignored++;
      continue;
    }
    if (owner.touched.length < MAX_TOUCHED) owner.touched.push(touchedResource(s));
    else owner.touchedDropped++;
  }

  const sequence = actionSequences(agentSpans);
  const events = agentSpans.map((s) => {
    const caller = s.operation?.invokesAgent ? callerOf(s, ancestors(s), context.keyAgentIds) : null;
    return { span: s.ref, event: toEvent(s, sequence.get(s) ?? 0, caller, context.prices) };
  });
  return { events, rejected, ignored };
}

/** Per agent and session, the spans' order by start time (a parent before a child that starts with it). */
function actionSequences(spans: SpanInfo[]): Map<SpanInfo, number> {
  const sessions = new Map<string, SpanInfo[]>();
  for (const s of spans) {
    const key = `${s.agentId}\u0000${sessionOf(s)}`;
    const list = sessions.get(key) ?? [];
    list.push(s);
    sessions.set(key, list);
  }
  const order = new Map<SpanInfo, number>();
  for (const list of sessions.values()) {
    list.sort((a, b) => (a.span.startTimeUnixNano < b.span.startTimeUnixNano ? -1 : a.span.startTimeUnixNano > b.span.startTimeUnixNano ? 1 : a.depth - b.depth));
    list.forEach((s, i) => order.set(s, i));
  }
  return order;
}

function sessionOf(s: SpanInfo): string {
  return stringAttr(s.attrs, "gen_ai.conversation.id", "session.id") ?? s.ref.traceId;
}

/**
 * Who invoked an agent: the agent of the nearest agent span above it in this request, else the
 * process's service.name when it names another agent the key speaks for.
 */
function callerOf(s: SpanInfo, above: SpanInfo[], keyAgentIds: ReadonlySet<string>): string | null {
  const nearest = above.find((a) => a.operation && a.agentId);
  if (nearest) return nearest.agentId !== s.agentId ? nearest.agentId : null;
  const service = stringAttr(s.resource, "service.name");
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

const clipValue = (value: AttrValue): AttrValue => (typeof value === "string" && value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value);

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
  const found = { url: pick("url.full", "http.url"), host: pick("server.address", "peer.service", "network.peer.address"), database: pick("db.namespace", "db.name") };
  return Object.fromEntries(Object.entries(found).filter(([, values]) => values.length > 0));
}

const SPAN_KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"];

const plain = (value: AttrValue | undefined): string => (value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value));

function firstText(...candidates: (() => string)[]): string {
  for (const candidate of candidates) {
    const text = candidate();
    if (text.trim() !== "") return text;
  }
  return "";
}

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
function eventsText(span: Span, roles: Map<string, string>): string {
  const lines: string[] = [];
  for (const e of span.events) {
    const eventRole = roles.get(e.name);
    if (!eventRole) continue;
    const attrs = attributeMap(e.attributes);
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
const isCarriedElsewhere = (key: string) =>
  MAPPED_KEYS.has(key) ||
  CONTENT_KEYS.has(key) ||
  (INDEXED_PREFIXES.some((p) => key.startsWith(p)) && (INDEXED_CONTENT_KEY.test(key) || RETRIEVED_DOCUMENT.test(key)));

function summaries(s: SpanInfo, actionType: ActionType): { input: string; output: string } {
  const a = s.attrs;
  const messages = (prefix: string) => () => contentText(indexedMessages(a, prefix));
  const attr = (key: string, render: (v: AttrValue | undefined) => string = contentText) => () => render(a.get(key));
  if (actionType === "tool_call") {
    const documents = () => [...a.entries()].filter(([k]) => RETRIEVED_DOCUMENT.test(k)).map(([, v]) => plain(v)).join("\n");
    return {
      input: firstText(attr("gen_ai.tool.call.arguments", plain), attr("input.value", plain), attr("traceloop.entity.input", plain), attr("gen_ai.retrieval.query.text", plain)),
      output: firstText(attr("gen_ai.tool.call.result", plain), attr("output.value", plain), attr("traceloop.entity.output", plain), attr("gen_ai.retrieval.documents", plain), documents),
    };
  }
  const system = contentText(a.get("gen_ai.system_instructions"));
  const input = firstText(
    attr("gen_ai.input.messages"),
    messages("llm.input_messages"),
    messages("gen_ai.prompt"),
    attr("gen_ai.prompt"),
    attr("input.value"),
    attr("traceloop.entity.input"),
    () => eventsText(s.span, INPUT_EVENTS),
  );
  const output = firstText(
    attr("gen_ai.output.messages"),
    messages("llm.output_messages"),
    messages("gen_ai.completion"),
    attr("gen_ai.completion"),
    attr("output.value"),
    attr("traceloop.entity.output"),
    () => eventsText(s.span, OUTPUT_EVENTS),
  );
  return { input: system ? `system: ${system}${input ? `\n${input}` : ""}` : input, output };
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
  const exceptionMessage = exception ? stringAttr(attributeMap(exception.attributes), "exception.message") : null;
  return s.span.status?.message || exceptionMessage || errorType || "error";
}

function toEvent(s: SpanInfo, actionSequence: number, caller: string | null, prices: PriceTable): AgentEvent {
  const operation = s.operation ?? { actionType: "decision" as const, name: "", invokesAgent: false };
  const a = s.attrs;
  const text = summaries(s, operation.actionType);
  const input = clip(text.input, MAX_SUMMARY_CHARS);
  const output = clip(text.output, MAX_SUMMARY_CHARS);
  const error = errorOf(s);
  const model = stringAttr(a, "gen_ai.response.model", "gen_ai.request.model", "llm.model_name");
  const inputTokens = countAttr(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt");
  const outputTokens = countAttr(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion");
  const tokenCount = inputTokens !== null || outputTokens !== null ? (inputTokens ?? 0) + (outputTokens ?? 0) : countAttr(a, "llm.token_count.total", "llm.usage.total_tokens");
  const spanCost = numberAttr(a, "gen_ai.usage.cost", "llm.cost.total");
  const estimated = spanCost === null && operation.actionType === "llm_call" ? estimateCost(prices, model, { input: inputTokens, output: outputTokens }) : null;
  const toolName =
    operation.actionType === "tool_call" ? (stringAttr(a, "gen_ai.tool.name", "tool.name", "traceloop.entity.name") ?? s.span.name).slice(0, 256) : null;
  const startNs = s.span.startTimeUnixNano;
  const durationNs = s.span.endTimeUnixNano > startNs ? s.span.endTimeUnixNano - startNs : 0n;

  const metadata = spanMetadata(s, {
    operation: operation.name,
    ...(model ? { model: model.slice(0, 256) } : {}),
    ...(inputTokens !== null ? { input_tokens: inputTokens } : {}),
    ...(outputTokens !== null ? { output_tokens: outputTokens } : {}),
    ...(spanCost !== null ? { cost_source: "span" } : estimated !== null ? { cost_source: "price_table" } : {}),
    ...(caller ? { sender_agent: caller } : {}),
    ...(input.clipped || output.clipped
      ? { clipped_chars: { ...(input.clipped ? { input_summary: input.clipped } : {}), ...(output.clipped ? { output_summary: output.clipped } : {}) } }
      : {}),
  });

  return {
    timestamp: Number(startNs / 1000n) / 1e6,
    agent_id: s.agentId ?? "",
    session_id: sessionOf(s),
    action_type: error ? "error" : operation.actionType,
    action_name: (s.span.name || operation.name).slice(0, 256),
    input_summary: input.text,
    output_summary: output.text,
    duration_ms: Number(durationNs / 1000n) / 1000,
    token_count: tokenCount,
    cost_usd: spanCost ?? estimated,
    tool_name: toolName,
    tool_args_hash: operation.actionType === "tool_call" && text.input ? `sha256:${createHash("sha256").update(text.input).digest("hex")}` : null,
    error: error ? error.slice(0, MAX_SUMMARY_CHARS) : null,
    metadata,
    action_sequence: actionSequence,
    event_id: spanEventId(s.ref.traceId, s.ref.spanId),
  };
}

/** How much of the metadata the span's own extras (resources touched, attributes, events, resource) may take, in serialised characters. */
const EXTRAS_BUDGET = MAX_METADATA_BYTES - 6 * 1024;
const TOUCHED_BUDGET = 8 * 1024;

/** Adds entries while they fit the budget; returns how many did not. */
function fitInto(target: Record<string, AttrValue>, entries: [string, AttrValue][], budget: { left: number }): number {
  let dropped = 0;
  for (const [key, raw] of entries) {
    const value = clipValue(raw);
    const size = JSON.stringify(key).length + JSON.stringify(value).length + 2;
    if (size > budget.left) {
      dropped++;
      continue;
    }
    target[key] = value;
    budget.left -= size;
  }
  return dropped;
}

/**
 * Everything else the span carries, with trace_id, span_id and parent_span_id for the span tree and
 * the link to the tracing tool. It stays under the event's metadata limit: what does not fit is
 * counted in `dropped`, never a reason to refuse the span.
 */
function spanMetadata(s: SpanInfo, mapped: Record<string, AttrValue>): Record<string, unknown> {
  const span = s.span;
  const budget = { left: EXTRAS_BUDGET };
  const touched: AttrValue[] = [];
  let droppedTouched = s.touchedDropped;
  for (const entry of s.touched) {
    const size = JSON.stringify(entry).length + 1;
    if (size > Math.min(budget.left, TOUCHED_BUDGET - (EXTRAS_BUDGET - budget.left))) {
      droppedTouched++;
      continue;
    }
    touched.push(entry);
    budget.left -= size;
  }
  const attributes: Record<string, AttrValue> = {};
  const droppedAttributes = fitInto(
    attributes,
    [...s.attrs.entries()].filter(([key]) => !isCarriedElsewhere(key)),
    budget,
  );
  const events: AttrValue[] = [];
  let droppedEvents = 0;
  for (const e of span.events) {
    if (INPUT_EVENTS.has(e.name) || OUTPUT_EVENTS.has(e.name)) continue;
    const entry: AttrValue = { name: e.name.slice(0, 256), time_unix_nano: e.timeUnixNano.toString(), attributes: attributesToObject(e.attributes) };
    const size = JSON.stringify(entry).length + 1;
    if (size > budget.left || events.length >= 50) {
      droppedEvents++;
      continue;
    }
    events.push(entry);
    budget.left -= size;
  }
  const links = span.links.slice(0, 20).map((l) => ({ trace_id: hex(l.traceId), span_id: hex(l.spanId) }));
  const resource: Record<string, AttrValue> = {};
  const droppedResource = fitInto(resource, [...s.resource.entries()].filter(([key]) => key !== "service.name"), budget);
  const dropped = {
    ...(droppedAttributes + span.droppedAttributesCount > 0 ? { attributes: droppedAttributes + span.droppedAttributesCount } : {}),
    ...(droppedEvents + span.droppedEventsCount > 0 ? { events: droppedEvents + span.droppedEventsCount } : {}),
    ...(span.links.length > links.length || span.droppedLinksCount > 0 ? { links: span.links.length - links.length + span.droppedLinksCount } : {}),
    ...(droppedResource > 0 ? { resource_attributes: droppedResource } : {}),
    ...(droppedTouched > 0 ? { resources_touched: droppedTouched } : {}),
  };
  return {
    trace_id: s.ref.traceId,
    span_id: s.ref.spanId,
    parent_span_id: s.parentId || null,
    span_kind: SPAN_KINDS[span.kind] ?? "unspecified",
    ...(span.status?.code === 2 ? { status: { code: "error", message: span.status.message.slice(0, 1024) } } : {}),
    service_name: (stringAttr(s.resource, "service.name") ?? "").slice(0, 256),
    ...(s.scope ? { scope: s.scope.slice(0, 256) } : {}),
    ...mapped,
    ...(touched.length > 0 ? { resources_touched: touched, ...analyzedResourceKeys(touched) } : {}),
    attributes,
    ...(events.length > 0 ? { events } : {}),
    ...(links.length > 0 ? { links } : {}),
    ...(Object.keys(resource).length > 0 ? { resource } : {}),
    ...(Object.keys(dropped).length > 0 ? { dropped } : {}),
  };
}
