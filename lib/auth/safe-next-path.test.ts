import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next-path";

const ORIGIN = "https://soc.example";

/** What a browser does with the answer: `router.replace(next)` resolves it against the page it is on. */
const landsOn = (next: string) => new URL(next, `${ORIGIN}/sign-in`);

describe("safeNextPath", () => {
  it("keeps paths on this console, query included", () => {
    expect(safeNextPath("/events?action_type=error")).toBe("/events?action_type=error");
    expect(safeNextPath("/sessions/sess%2520a%25b")).toBe("/sessions/sess%2520a%25b");
    expect(safeNextPath("/agents/../alerts")).toBe("/alerts");
    expect(safeNextPath(undefined)).toBe("/agents");
  });

  it("refuses anything a browser would resolve to another origin, before or after normalising", () => {
    const corpus = [
      "//evil.com",
      "/\\evil.com",
      "/..//evil.com",
      "/./\\evil.com",
      "/.//evil.com",
      "/a/../..//evil.com",
      "/%2e%2e//evil.com",
      "/.%2e//evil.com",
      "/\t/evil.com",
      "/\n/evil.com",
      "/\r\n/evil.com",
      "/ /evil.com",
      "/%2F%2Fevil.com",
      "/%2f/evil.com",
      "/%5Cevil.com",
      "/%5c%5cevil.com",
      "/\\\\evil",
      "///evil.com",
      "\\/evil.com",
      "https://evil.com",
      "javascript:alert(1)",
      "//[",
      "",
    ];
    for (const evil of corpus) {
      const next = safeNextPath(evil);
      expect(landsOn(next).origin, JSON.stringify(evil)).toBe(ORIGIN);
      expect(next, JSON.stringify(evil)).toMatch(/^\/(?![/\\])/);
      expect(next.toLowerCase(), JSON.stringify(evil)).not.toMatch(/^\/(%2f|%5c)/);
    }
    expect(safeNextPath("/..//evil.com")).toBe("/agents");
    expect(safeNextPath("/./\\evil.com")).toBe("/agents");
  });

  it("keeps odd but harmless paths on this console as paths", () => {
    for (const odd of ["/..;/evil.com", "/;/evil.com", "/%0d%0aSet-Cookie:x=1", "/@evil.com", "/evil.com#//x"]) {
      const next = safeNextPath(odd);
      expect(landsOn(next).origin, odd).toBe(ORIGIN);
      expect(next, odd).toMatch(/^\/(?![/\\])/);
    }
  });

  it("never throws, whatever the query string held", () => {
    for (const weird of ["//[", "/\u0000", "/\ud800", "/%", "/%zz", `/${"a".repeat(100_000)}`]) expect(() => safeNextPath(weird)).not.toThrow();
  });
});
