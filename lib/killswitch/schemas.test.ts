import { describe, expect, it } from "vitest";
import { automaticKillReason, killReasonSchema, recordableText, unstorableTextProblem } from "./schemas";

describe("kill reasons and other text bound for Redis and the record", () => {
  it("names what cannot be stored: NUL, a lone surrogate, a control character; tabs and newlines are fine", () => {
    expect(unstorableTextProblem("ok\u0000")).toBe("holds a NUL character (at position 2), which cannot be stored");
    expect(unstorableTextProblem("\udc00 x")).toContain("lone surrogate");
    expect(unstorableTextProblem("a\u001b[2Jb")).toContain("U+001B");
    expect(unstorableTextProblem("a\u009bb")).toContain("U+009B");
    expect(unstorableTextProblem("line one\n\tline two, 🛑 é")).toBeNull();
  });

  it("makes text from outside fit the record: replaced, trimmed, cut at the limit without splitting a character", () => {
    expect(recordableText("  a\u0000b\ud800c\u0007 ", 50)).toBe("a\uFFFDb\uFFFDc\uFFFD");
    expect(recordableText("x".repeat(600), 500)).toHaveLength(500);
    const cut = recordableText(`${"x".repeat(498)}🛑🛑`, 500);
    expect(cut.isWellFormed()).toBe(true);
    expect(cut.endsWith("x…")).toBe(true);
  });

  it("an automatic reason always passes the reason schema, whatever the alert held", () => {
    const hostile = ["", " ", "\u0000", "ab", "\ud800".repeat(700), `${"é".repeat(499)}🛑`, "\u001b".repeat(3), "a\u0000".repeat(400), " x ".repeat(300)];
    for (const text of hostile) {
      const reason = automaticKillReason(text);
      expect(killReasonSchema.safeParse(reason)).toMatchObject({ success: true, data: reason });
    }
    expect(automaticKillReason("automatic: canary leaked (CANARY-1 in output)")).toBe("automatic: canary leaked (CANARY-1 in output)");
  });
});
