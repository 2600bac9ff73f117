import type { AttrValue } from "./attributes";

/** Rendering stops growing a text past this; the event's summary limit cuts it further. */
const MAX_RENDERED_CHARS = 256 * 1024;
const MAX_DEPTH = 8;

const isRecord = (v: unknown): v is { [key: string]: AttrValue } => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON held in a string attribute, or undefined when the string is not a JSON array or object. */
export function parseJsonText(text: string): AttrValue | undefined {
  const t = text.trim();
  if (!(t.startsWith("[") || t.startsWith("{"))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

const stringify = (value: AttrValue | undefined) => (typeof value === "string" ? value : JSON.stringify(value ?? null));

function partText(part: AttrValue, depth: number): string {
  if (typeof part === "string") return part;
  if (!isRecord(part)) return stringify(part);
  switch (part.type) {
    case "tool_call":
      return `[tool call ${stringify(part.name)}(${stringify(part.arguments)})]`;
    case "tool_call_response":
      return `[tool result: ${stringify(part.response ?? part.result)}]`;
    default:
      if (typeof part.content === "string") return part.content;
      if (typeof part.text === "string") return part.text;
      return contentText(part.content ?? part, depth + 1);
  }
}

function messageText(message: AttrValue, depth: number): string {
  if (!isRecord(message) || depth > MAX_DEPTH) return partText(message, depth);
  const role = typeof message.role === "string" ? message.role : "";
  const body = message.parts ?? message.content ?? message.message ?? null;
  const toolCalls = Array.isArray(message.tool_calls)
    ? message.tool_calls.map((call) => {
        const fn = isRecord(call) && isRecord(call.function) ? call.function : call;
        return isRecord(fn) ? `[tool call ${stringify(fn.name)}(${stringify(fn.arguments)})]` : stringify(call);
      })
    : [];
  const text = [body === null ? "" : contentText(body, depth + 1), ...toolCalls].filter(Boolean).join(" ");
  return role ? `${role}: ${text}` : text;
}

/**
 * GenAI message content as readable text: semantic-convention messages with parts, OpenAI-style
 * messages, parts lists, or plain strings (JSON in a string attribute is read as JSON).
 */
export function contentText(value: AttrValue | undefined, depth = 0): string {
  if (value === undefined || value === null) return "";
  if (depth > MAX_DEPTH) return stringify(value).slice(0, MAX_RENDERED_CHARS);
  if (typeof value === "string") {
    const parsed = parseJsonText(value);
    return parsed === undefined ? value : contentText(parsed, depth + 1);
  }
  if (Array.isArray(value)) {
    const lines: string[] = [];
    let length = 0;
    for (const item of value) {
      const line = isRecord(item) && ("role" in item || "parts" in item) ? messageText(item, depth + 1) : partText(item, depth + 1);
      lines.push(line);
      length += line.length;
      if (length > MAX_RENDERED_CHARS) break;
    }
    return lines.filter(Boolean).join("\n");
  }
  if (isRecord(value)) return "role" in value || "parts" in value || "content" in value ? messageText(value, depth + 1) : stringify(value);
  return String(value);
}

/**
 * Messages flattened into indexed attributes, as OpenLLMetry (`gen_ai.prompt.0.content`) and
 * OpenInference (`llm.input_messages.0.message.content`) write them, in index order.
 */
export function indexedMessages(attrs: Map<string, AttrValue>, prefix: string): AttrValue[] {
  const byIndex = new Map<number, { [key: string]: AttrValue }>();
  const pattern = new RegExp(`^${prefix.replaceAll(".", "\\.")}\\.(\\d+)\\.(?:message\\.)?(role|content)$`);
  for (const [key, value] of attrs) {
    const match = pattern.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    const message = byIndex.get(index) ?? {};
    message[match[2] ?? "content"] = value;
    byIndex.set(index, message);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, message]) => message);
}

export const INDEXED_CONTENT_KEY = /^(gen_ai\.(prompt|completion)|llm\.(input|output)_messages)\.\d+\./;
