import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./document";
import { constraints, fieldsOf, innerSchemas, referenceTags, refName, typeLabel } from "./reference";

describe("the API reference's reading of the document", () => {
  const tags = referenceTags(buildOpenApiDocument());
  const ops = tags.flatMap((t) => t.operations);

  it("lists every operation of the document once, under its tag, with its access", () => {
    const doc = buildOpenApiDocument();
    const count = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item ?? {}).length, 0);
    expect(ops).toHaveLength(count);
    expect(new Set(ops.map((o) => o.id)).size).toBe(count);
    const signIn = ops.find((o) => o.path === "/api/v1/auth/sign-in");
    expect(signIn?.access).toBe("public");
    expect(ops.find((o) => o.method === "DELETE" && o.path === "/api/v1/killswitch/global")?.access).toBe("admin");
    expect(tags.find((t) => t.operations.some((o) => o.path === "/api/v1/auth/sign-in"))?.slug).toBe("sign-in");
  });

  it("keeps each operation's parameters, bodies and every documented status", () => {
    const kill = ops.find((o) => o.method === "PUT" && o.path === "/api/v1/killswitch/agents/{agentId}");
    expect(kill?.parameters.map((p) => [p.name, p.in, p.required])).toEqual([["agentId", "path", true]]);
    expect(kill?.requestBody.map((c) => c.mediaType)).toEqual(["application/json"]);
    expect(kill?.responses.map((r) => r.status)).toEqual(["200", "400", "401", "403", "404", "413", "500", "503"]);
  });

  it("sums a schema up in words", () => {
    expect(typeLabel({ $ref: "#/components/schemas/Event" })).toBe("Event");
    expect(typeLabel({ type: ["string", "null"], format: "date-time" })).toBe("string (date-time) or null");
    expect(typeLabel({ type: "array", items: { $ref: "#/components/schemas/Alert" } })).toBe("array of Alert");
    expect(typeLabel({ enum: ["low", "high"] })).toBe('one of: "low" | "high"');
    expect(typeLabel({ const: true })).toBe("always true");
    expect(typeLabel({ anyOf: [{ type: "string" }, { type: "null" }] })).toBe("string or null");
    expect(typeLabel({})).toBe("any");
    expect(refName({ $ref: "#/components/schemas/Error" })).toBe("Error");
  });

  it("states limits people need and leaves out the integer range zod adds", () => {
    expect(constraints({ type: "string", minLength: 1, maxLength: 500 })).toEqual(["at least 1 characters", "at most 500 characters"]);
    expect(constraints({ type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 })).toEqual([]);
    expect(constraints({ type: "integer", exclusiveMinimum: 0, default: 100 })).toEqual(["> 0", "default 100"]);
  });

  it("opens objects by field, required ones marked, and looks inside arrays and unions for more", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "array", items: { type: "object", properties: { c: {} } } } },
      required: ["a"],
    };
    expect(fieldsOf(schema)?.map((f) => [f.name, f.required])).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(innerSchemas(schema.properties.b)).toHaveLength(1);
    expect(innerSchemas({ type: "array", items: { type: "string" } })).toEqual([]);
    expect(fieldsOf({ type: "string" })).toBeNull();
  });
});
