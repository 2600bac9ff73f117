import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it("keeps paths on this console", () => {
    expect(safeNextPath("/events?action_type=error")).toBe("/events?action_type=error");
    expect(safeNextPath(undefined)).toBe("/agents");
    // An encoded backslash is just a character of a path here, not a separator.
    expect(safeNextPath("/%5Cevil.com")).toBe("/%5Cevil.com");
  });

  it("refuses anything a browser would resolve to another origin", () => {
    for (const evil of ["//evil.com", "/\\evil.com", "/\t/evil.com", "https://evil.com", "javascript:alert(1)"]) {
      expect(safeNextPath(evil), evil).toBe("/agents");
    }
  });
});
