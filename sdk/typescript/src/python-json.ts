/**
 * JSON exactly as Python's `json.dumps(value, sort_keys=True, separators=(",", ":"))` writes it
 * (ensure_ascii on, as by default), so a signature made here verifies in a Python agent and back.
 */

/** A number Python holds as a float (time.time()), written as Python writes one even when whole ("1795000000.0"). */
export class PythonFloat {
  constructor(readonly value: number) {}
}

/** Python's repr of a float: the shortest digits that round-trip, fixed notation for exponents -4..15, else "1e+16". */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa = "", expText = "0"] = value.toExponential().split("e");
  const exponent = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${head}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction || "0"}`;
}

/** A JavaScript number as Python would have written the value it came from: whole numbers as ints, others as floats. */
function pythonNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  return pythonFloatRepr(value);
}

/** A JSON string with every character outside printable ASCII escaped as \uXXXX, as ensure_ascii does (DEL included). */
export function pythonString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Python sorts keys by code point; JavaScript's default sort compares UTF-16 units, which differs above U+FFFF. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Canonical JSON for signing: sorted keys at every depth, no spaces, ASCII only. Throws on cycles and on values JSON cannot hold. */
export function canonicalJson(value: unknown, seen: Set<object> = new Set()): string {
  if (value === null) return "null";
  if (value instanceof PythonFloat) return pythonFloatRepr(value.value);
  switch (typeof value) {
    case "string":
      return pythonString(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`cannot sign a non-finite number (${value})`);
      return pythonNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      throw new TypeError(`cannot sign a value of type ${typeof value}`);
  }
  if (seen.has(value)) throw new TypeError("cannot sign a value that contains itself");
  seen.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, seen)).join(",")}]`;
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => byCodePoint(a, b));
    return `{${entries.map(([k, v]) => `${pythonString(k)}:${canonicalJson(v, seen)}`).join(",")}}`;
  } finally {
    seen.delete(value);
  }
}
