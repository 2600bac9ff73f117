import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";

describe("canonicalJson", () => {
  it("sorts keys at every level and leaves out whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: "x" } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it("gives the same text however the keys were ordered", () => {
    expect(canonicalJson({ event_count: 2, agent_id: "a" })).toBe(canonicalJson({ agent_id: "a", event_count: 2 }));
  });

  it("keeps array order, escapes strings as JSON does and drops undefined properties", () => {
    expect(canonicalJson(["b", "a", 'quote " and \n newline'])).toBe('["b","a","quote \\" and \\n newline"]');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it("sorts by code unit, so upper case comes before lower case", () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3 })).toBe('{"B":2,"a":3,"b":1}');
  });

  it("refuses values JSON cannot carry instead of writing null for them", () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/no JSON form/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });
});
