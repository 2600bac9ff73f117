/**
 * PostgreSQL cannot store a NUL character in text or jsonb, and UTF-8 has no encoding for a lone
 * surrogate. What arrives from outside is decided once, at the boundary: identifiers (anything used
 * as a key, in a URL, a Redis key or a metric label) holding such text are refused with the field
 * named; free text keeps its record and has each such character replaced by U+FFFD.
 */

/** Why PostgreSQL cannot store this text, or null when it can. */
export function unstorableReason(text: string): string | null {
  if (text.includes("\u0000")) return "contains a NUL character (\\u0000), which cannot be stored";
  if (!text.isWellFormed()) return "contains a lone surrogate (not valid Unicode), which cannot be stored";
  return null;
}

/** Free text as PostgreSQL will store it: each NUL and lone surrogate becomes U+FFFD. */
export function storableText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replaceAll("\u0000", "\uFFFD") : wellFormed;
}

/** A JSON value with storableText applied to every string and every key. Callers bound its depth first. */
export function storableJson(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [rawKey, inner] of Object.entries(value)) {
      const key = storableText(rawKey);
      // Plain assignment to "__proto__" would swap the copy's prototype instead of copying the key.
      if (key === "__proto__") Object.defineProperty(out, key, { value: storableJson(inner), enumerable: true, writable: true, configurable: true });
      else out[key] = storableJson(inner);
    }
    return out;
  }
  return value;
}

export interface JsonProblem {
  /** Where, as field names and indexes joined by "." ("" for the value itself). */
  path: string;
  message: string;
}

/**
 * The first place in a parsed JSON value that is nested deeper than maxDepth or holds text (a
 * string or a key) PostgreSQL cannot store. Walks without recursion, so depth cannot exhaust the stack.
 */
export function findJsonProblem(value: unknown, maxDepth: number): JsonProblem | null {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const current = stack.pop();
    if (!current) break;
    const at = current.path.join(".");
    if (typeof current.value === "string") {
      const why = unstorableReason(current.value);
      if (why) return { path: at, message: why };
      continue;
    }
    if (typeof current.value !== "object" || current.value === null) continue;
    if (current.path.length >= maxDepth) return { path: at, message: `nested deeper than ${maxDepth} levels` };
    for (const [key, inner] of Object.entries(current.value)) {
      const keyWhy = unstorableReason(key);
      if (keyWhy) return { path: at, message: `a key ${keyWhy}` };
      stack.push({ value: inner, path: [...current.path, key] });
    }
  }
  return null;
}

/** A name or value as an error message may quote it: short, and storable. */
const quoted = (text: string) => JSON.stringify(storableText(text.length > 100 ? `${text.slice(0, 100)}…` : text));

function strictDecode(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    return null;
  }
}

/**
 * The first query parameter (path: its name, or "query" for a bad name) that is not valid
 * percent-encoded UTF-8 or decodes to text PostgreSQL cannot store. URLSearchParams would silently
 * turn bad percent-encoding into U+FFFD, so the raw query string is read.
 */
export function findQueryProblem(search: string): JsonProblem | null {
  for (const part of search.replace(/^\?/, "").split("&")) {
    if (part === "") continue;
    const split = part.indexOf("=");
    const rawName = split === -1 ? part : part.slice(0, split);
    const name = strictDecode(rawName);
    if (name === null) return { path: "query", message: `the parameter name ${quoted(rawName)} is not valid percent-encoded UTF-8` };
    const nameWhy = unstorableReason(name);
    if (nameWhy) return { path: "query", message: `the parameter name ${quoted(name)} ${nameWhy}` };
    const value = strictDecode(split === -1 ? "" : part.slice(split + 1));
    if (value === null) return { path: name, message: "not valid percent-encoded UTF-8" };
    const why = unstorableReason(value);
    if (why) return { path: name, message: why };
  }
  return null;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

const badEncoding = (segment: string): JsonProblem => ({ path: "path", message: `the segment ${quoted(segment)} is not valid percent-encoded UTF-8` });

/** The first path segment that is not valid percent-encoded UTF-8 (which Next.js fails on when it decodes route parameters). */
export function findPathEncodingProblem(pathname: string): JsonProblem | null {
  const bad = pathname.split("/").find((segment) => decodeSegment(segment) === null);
  return bad === undefined ? null : badEncoding(bad);
}

/** The first path segment that is not valid percent-encoded UTF-8 or decodes to text PostgreSQL cannot store. */
export function findPathProblem(pathname: string): JsonProblem | null {
  for (const segment of pathname.split("/")) {
    const decoded = decodeSegment(segment);
    if (decoded === null) return badEncoding(segment);
    const why = unstorableReason(decoded);
    if (why) return { path: "path", message: `a segment ${why}` };
  }
  return null;
}
