import type { AnyValue, KeyValue } from "./proto/gen/otlp_trace_pb";

/** Attribute values as plain JSON: ints past 2^53 become decimal strings, bytes base64. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };

/** Arrays and kvlists nested deeper than this are cut (the event's metadata has a depth limit of its own). */
const MAX_VALUE_DEPTH = 6;
export const TOO_DEEP = "[nested too deep]";

export function anyValueToJson(value: AnyValue | undefined, depth = 0): AttrValue {
  const v = value?.value;
  if (!v) return null;
  switch (v.case) {
    case "stringValue":
    case "boolValue":
    case "doubleValue":
      return typeof v.value === "number" && !Number.isFinite(v.value) ? String(v.value) : v.value;
    case "intValue":
      return v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.value) : v.value.toString();
    case "bytesValue":
      return Buffer.from(v.value).toString("base64");
    case "arrayValue":
      return depth >= MAX_VALUE_DEPTH ? TOO_DEEP : v.value.values.map((item) => anyValueToJson(item, depth + 1));
    case "kvlistValue":
      return depth >= MAX_VALUE_DEPTH ? TOO_DEEP : attributesToObject(v.value.values, depth + 1);
    default:
      // string_value_strindex refers to a dictionary only profiles carry; a trace has none.
      return null;
  }
}

export function attributesToObject(list: KeyValue[], depth = 0): { [key: string]: AttrValue } {
  const out: { [key: string]: AttrValue } = {};
  for (const kv of list) setOwn(out, kv.key, anyValueToJson(kv.value, depth));
  return out;
}

/** Attributes by key as one object (a span event's, in the metadata). */
export function objectOf(attrs: Map<string, AttrValue>): { [key: string]: AttrValue } {
  const out: { [key: string]: AttrValue } = {};
  for (const [key, value] of attrs) setOwn(out, key, value);
  return out;
}

/**
 * Sets a key the sender chose, unless it is "__proto__": the ingest boundary refuses that name
 * (JavaScript readers take it for the object's prototype), so it is left out. Says whether it was kept.
 */
export function setOwn(target: { [key: string]: AttrValue }, key: string, value: AttrValue): boolean {
  if (key === "__proto__") return false;
  target[key] = value;
  return true;
}

/** Object keys in a value at every depth, as the ingest boundary counts them against its limit (array items are not keys). */
export function keysIn(value: AttrValue): number {
  if (value === null || typeof value !== "object") return 0;
  if (Array.isArray(value)) return value.reduce<number>((n, item) => n + keysIn(item), 0);
  return Object.values(value).reduce<number>((n, item) => n + 1 + keysIn(item), 0);
}

/** A span's attributes by key; the last of duplicated keys wins, as in the SDKs. */
export function attributeMap(list: KeyValue[]): Map<string, AttrValue> {
  const map = new Map<string, AttrValue>();
  for (const kv of list) map.set(kv.key, anyValueToJson(kv.value));
  return map;
}

export function stringAttr(attrs: Map<string, AttrValue>, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = attrs.get(key);
    if (typeof value === "string" && value.trim() !== "") return value;
    if (typeof value === "number") return String(value);
  }
  return null;
}

/** A non-negative count: ints, or decimal strings of them (int64 as OTLP/JSON may send it). */
export function countAttr(attrs: Map<string, AttrValue>, ...keys: string[]): number | null {
  for (const key of keys) {
    const value = attrs.get(key);
    const n = typeof value === "number" ? value : typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
    if (Number.isSafeInteger(n) && n >= 0) return n;
  }
  return null;
}

export function numberAttr(attrs: Map<string, AttrValue>, ...keys: string[]): number | null {
  for (const key of keys) {
    const value = attrs.get(key);
    const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    if (Number.isFinite(n) && n >= 0) return n;
  }
  return null;
}
