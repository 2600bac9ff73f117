import { describe, expect, it } from "vitest";
import { jsonLine, shown, terminalSafe } from "./terminal-text";

describe("terminal text", () => {
  it("escapes C0, DEL, C1 and bidirectional controls, and nothing else", () => {
    expect(terminalSafe("a\u001b[2Jb\u0000\t\n\r\u007f\u009b\u0085\u202e\u2066z")).toBe("a\\x1b[2Jb\\x00\\x09\\x0a\\x0d\\x7f\\x9b\\x85\\u202e\\u2066z");
    expect(terminalSafe('ünïcødé 💥 50% off, "quoted" \\ ok')).toBe('ünïcødé 💥 50% off, "quoted" \\ ok');
  });

  it("keeps the template's own newlines and escapes the values' ones", () => {
    expect(shown`line one ${"x\ny"}\nline two ${42}`).toBe("line one x\\x0ay\nline two 42");
  });

  it("writes JSON that means the same and holds no control character", () => {
    const value = { id: "s\u001b[2J\u009b\u007f\u202e\n", n: 1 };
    const line = jsonLine(value);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(line)).toEqual(value);
  });
});
