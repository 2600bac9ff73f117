/**
 * The API reference page's reading of the OpenAPI document: operations grouped by tag, and each
 * JSON Schema summed up for people. Pure: data in, data out; the page renders every text as text.
 */

export type JsonSchema = Record<string, unknown>;

export interface ReferenceParameter {
  name: string;
  in: string;
  required: boolean;
  schema: JsonSchema;
  description: string | null;
}

export interface ReferenceContent {
  mediaType: string;
  schema: JsonSchema;
}

export interface ReferenceResponse {
  status: string;
  description: string;
  content: ReferenceContent[];
}

export interface ReferenceOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  /** A role, "ingest-key" or "public". */
  access: string;
  parameters: ReferenceParameter[];
  requestBody: ReferenceContent[];
  responses: ReferenceResponse[];
}

export interface ReferenceTag {
  name: string;
  slug: string;
  operations: ReferenceOperation[];
}

const METHODS = ["get", "post", "put", "patch", "delete"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === "string" ? value : "");

export const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

function contentOf(value: unknown): ReferenceContent[] {
  if (!isObject(value)) return [];
  return Object.entries(value).map(([mediaType, media]) => ({ mediaType, schema: isObject(media) && isObject(media.schema) ? media.schema : {} }));
}

/** The document's operations by tag, in the order the document first names each tag; within a tag, in path order. */
export function referenceTags(document: unknown): ReferenceTag[] {
  const doc = isObject(document) ? document : {};
  const paths = isObject(doc.paths) ? doc.paths : {};
  const byTag = new Map<string, ReferenceOperation[]>();
  for (const tag of Array.isArray(doc.tags) ? doc.tags : []) if (isObject(tag) && typeof tag.name === "string") byTag.set(tag.name, []);
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const tag = Array.isArray(op.tags) && typeof op.tags[0] === "string" ? op.tags[0] : "Other";
      const parameters = (Array.isArray(op.parameters) ? op.parameters : []).filter(isObject).map((p) => ({
        name: text(p.name),
        in: text(p.in),
        required: p.required === true,
        schema: isObject(p.schema) ? p.schema : {},
        description: typeof p.description === "string" ? p.description : null,
      }));
      const responses = Object.entries(isObject(op.responses) ? op.responses : {}).map(([status, r]) => ({
        status,
        description: isObject(r) ? text(r.description) : "",
        content: isObject(r) ? contentOf(r.content) : [],
      }));
      const list = byTag.get(tag) ?? [];
      list.push({
        id: text(op.operationId) || `${method}-${path}`,
        method: method.toUpperCase(),
        path,
        summary: text(op.summary),
        description: text(op.description),
        access: text(op["x-agentsoc-access"]),
        parameters,
        requestBody: isObject(op.requestBody) ? contentOf(op.requestBody.content) : [],
        responses: responses.sort((a, b) => a.status.localeCompare(b.status)),
      });
      byTag.set(tag, list);
    }
  }
  return [...byTag].filter(([, ops]) => ops.length > 0).map(([name, operations]) => ({ name, slug: slugOf(name), operations }));
}

/** The component a `$ref` points at ("#/components/schemas/Error" → "Error"), or null. */
export function refName(schema: JsonSchema): string | null {
  const ref = schema.$ref;
  return typeof ref === "string" && ref.startsWith("#/components/schemas/") ? ref.slice("#/components/schemas/".length) : null;
}

/** A schema's type in a few words: "string (uuid) or null", "array of Event", "one of: a | b", "object". */
export function typeLabel(schema: JsonSchema): string {
  const ref = refName(schema);
  if (ref) return ref;
  if (schema.const !== undefined) return `always ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.enum)) return `one of: ${schema.enum.map((v) => JSON.stringify(v)).join(" | ")}`;
  const variants = [schema.anyOf, schema.oneOf].find(Array.isArray);
  if (Array.isArray(variants)) return variants.filter(isObject).map(typeLabel).join(" or ");
  const types = Array.isArray(schema.type) ? schema.type.map(String) : typeof schema.type === "string" ? [schema.type] : [];
  const named = types.map((t) => {
    if (t === "array") return isObject(schema.items) ? `array of ${typeLabel(schema.items)}` : "array";
    if (t === "object" && isObject(schema.additionalProperties) && !isObject(schema.properties)) {
      const values = typeLabel(schema.additionalProperties);
      return values === "any" ? "object" : `object of ${values}`;
    }
    return typeof schema.format === "string" && t === "string" ? `string (${schema.format})` : t;
  });
  return named.length > 0 ? named.join(" or ") : "any";
}

/** Limits worth knowing: lengths, ranges, counts, patterns. */
export function constraints(schema: JsonSchema): string[] {
  const found: string[] = [];
  const num = (key: string) => (typeof schema[key] === "number" ? (schema[key] as number) : null);
  const huge = (n: number) => Math.abs(n) >= Number.MAX_SAFE_INTEGER;
  const pairs: [string, string][] = [
    ["minLength", "at least {} characters"],
    ["maxLength", "at most {} characters"],
    ["minItems", "at least {} items"],
    ["maxItems", "at most {} items"],
    ["minimum", "≥ {}"],
    ["exclusiveMinimum", "> {}"],
    ["maximum", "≤ {}"],
    ["exclusiveMaximum", "< {}"],
  ];
  for (const [key, phrase] of pairs) {
    const n = num(key);
    if (n !== null && !huge(n)) found.push(phrase.replace("{}", String(n)));
  }
  if (typeof schema.default !== "undefined") found.push(`default ${JSON.stringify(schema.default)}`);
  if (typeof schema.pattern === "string" && schema.format === undefined) found.push(`matches ${schema.pattern}`);
  return found;
}

/** An object schema's fields, required first as the document lists them; null for a schema that is not an object with properties. */
export function fieldsOf(schema: JsonSchema): { name: string; required: boolean; schema: JsonSchema }[] | null {
  if (!isObject(schema.properties)) return null;
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(schema.properties).map(([name, inner]) => ({ name, required: required.has(name), schema: isObject(inner) ? inner : {} }));
}

/** The schemas to open inside this one: an array's items, each variant of a union, an object's values. */
export function innerSchemas(schema: JsonSchema): JsonSchema[] {
  if (refName(schema)) return [];
  const found: JsonSchema[] = [];
  if (isObject(schema.items)) found.push(schema.items);
  for (const variants of [schema.anyOf, schema.oneOf]) if (Array.isArray(variants)) found.push(...variants.filter(isObject));
  if (isObject(schema.additionalProperties) && Object.keys(schema.additionalProperties).length > 0 && !isObject(schema.properties))
    found.push(schema.additionalProperties);
  return found.filter((s) => fieldsOf(s) !== null || innerSchemas(s).length > 0);
}
