import { describe, expect, it } from "vitest";
import { findJsonProblem, findPathEncodingProblem, findPathProblem, findQueryProblem, storableJson, storableText, unstorableReason } from "./storable-text";

describe("text PostgreSQL cannot store", () => {
  it("is a NUL or a lone surrogate, nothing else", () => {
    expect(unstorableReason("a\u0000b")).toMatch(/NUL/);
    expect(unstorableReason("a\ud800b")).toMatch(/lone surrogate/);
    expect(unstorableReason("b\udc00")).toMatch(/lone surrogate/);
    for (const fine of ["", "💥 ünïcødé", "\u202e", "%00", "\r\n\t\u0001", "\uFFFD"]) expect(unstorableReason(fine)).toBeNull();
  });

  it("becomes U+FFFD in free text, keys of JSON included", () => {
    expect(storableText("a\u0000b\ud800c💥")).toBe("a\uFFFDb\uFFFDc💥");
    expect(storableJson({ "k\u0000": ["v\ud800", 1, null, true] })).toEqual({ "k\uFFFD": ["v\uFFFD", 1, null, true] });
    // A "__proto__" key from JSON.parse stays a key of the copy, not its prototype.
    expect(JSON.stringify(storableJson(JSON.parse('{"__proto__":"x\\u0000"}')))).toBe('{"__proto__":"x\uFFFD"}');
  });

  it("is found in a parsed JSON body by path, as is nesting past the limit, without recursion", () => {
    expect(findJsonProblem({ a: [1, { b: "x\u0000" }] }, 32)).toEqual({ path: "a.1.b", message: expect.stringMatching(/NUL/) });
    expect(findJsonProblem({ a: { "\ud800": 1 } }, 32)).toEqual({ path: "a", message: expect.stringMatching(/^a key .*lone surrogate/) });
    expect(findJsonProblem("\u0000", 32)).toEqual({ path: "", message: expect.stringMatching(/NUL/) });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findJsonProblem({ deep }, 32)?.message).toBe("nested deeper than 32 levels");
    expect(findJsonProblem({ a: [{ b: "fine" }] }, 32)).toBeNull();
  });

  it("is found in a raw query string with bad percent-encoding, naming the parameter", () => {
    expect(findQueryProblem("?agent_id=a%00b")).toEqual({ path: "agent_id", message: expect.stringMatching(/NUL/) });
    expect(findQueryProblem("?a=1&since=%E0%A4%A")).toEqual({ path: "since", message: "not valid percent-encoded UTF-8" });
    expect(findQueryProblem("?x=%ED%A0%80")?.path).toBe("x");
    expect(findQueryProblem("?x=%C0%80")?.path).toBe("x");
    expect(findQueryProblem("?%E0=1")?.path).toBe("query");
    expect(findQueryProblem("?a%00=1")?.path).toBe("query");
    expect(findQueryProblem("?agent_id=caf%C3%A9&q=a+b&flag&&=")).toBeNull();
    expect(findQueryProblem("")).toBeNull();
  });

  it("is found in a raw path, segment by segment", () => {
    expect(findPathProblem("/sessions/x%00y")?.message).toMatch(/NUL/);
    expect(findPathProblem("/sessions/%E0%A4%A")?.message).toMatch(/percent-encoded/);
    expect(findPathProblem("/sessions/50%25%20off%2Fa%3Fb")).toBeNull();
  });

  it("as bad encoding alone, for API paths whose routes name a NUL themselves", () => {
    for (const path of [
      "/api/v1/sessions/%",
      "/api/v1/sessions/%E0%A4%A",
      "/api/v1/sessions/%FF/timeline",
      "/api/v1/incidents/%ED%A0%80",
      "/api/v1/sessions/%u0041",
      "/api/v1/x/%C0%AF",
    ]) {
      expect(findPathEncodingProblem(path), path).toEqual({ path: "path", message: expect.stringMatching(/is not valid percent-encoded UTF-8$/) });
    }
    expect(findPathEncodingProblem("/api/v1/sessions/a%00b")).toBeNull();
    expect(findPathEncodingProblem("/api/v1/sessions/50%25%20off%2Fa%3Fb")).toBeNull();
  });
});
