import { describe, expect, it } from "vitest";
import { OutputGuard } from "./output-guard.js";

describe("OutputGuard", () => {
  it("finds a canary however it is cased, spaced, widened or split by invisible characters", () => {
    const guard = new OutputGuard();
    guard.addCanary({ token: "CANARY-7f3a9c2e51d04b88", label: "system prompt" });
    for (const text of ["marker CANARY-7f3a9c2e51d04b88.", "canary-7F3A9C2E51D04B88", "CANARY-7f3a\u200b9c2e51d04b88", "ＣＡＮＡＲＹ-7f3a9c2e51d04b88"]) {
      expect(guard.find(text)).toEqual({ kind: "canary", label: "system prompt" });
    }
    // Any marker in the guide's format is blocked too, as the console flags unregistered ones.
    expect(guard.find("CANARY-7f3a9c2e51d04b89")).toEqual({ kind: "canary", label: "unregistered marker" });
    expect(guard.find("the canary bird")).toBeNull();
  });

  it("matches string patterns as the console's baseline does and RegExps as written", () => {
    const guard = new OutputGuard();
    guard.addForbidden("My  Instructions");
    guard.addForbidden(/\b\d{3}-\d{2}-\d{4}\b/g);
    expect(guard.find("here are my\ninstructions")).toEqual({ kind: "forbidden_pattern", pattern: "My  Instructions" });
    expect(guard.find("ssn 123-45-6789")).toEqual({ kind: "forbidden_pattern", pattern: "/\\b\\d{3}-\\d{2}-\\d{4}\\b/g" });
    expect(guard.find("ssn 123-45-6789")).not.toBeNull();
    expect(guard.find("nothing to see")).toBeNull();
  });
});
