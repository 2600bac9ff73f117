import { describe, expect, it } from "vitest";
import { canonicalJson, PythonFloat, pythonFloatRepr } from "./python-json.js";

describe("pythonFloatRepr", () => {
  // Each right-hand side is what Python 3.11 prints for repr(float(left)).
  it.each([
    [1795000000, "1795000000.0"],
    [1795000000.123456, "1795000000.123456"],
    [0.1, "0.1"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [123456789012345.67, "123456789012345.67"],
    [-2.5, "-2.5"],
    [1e22, "1e+22"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [0.30000000000000004, "0.30000000000000004"],
    [100, "100.0"],
    [1234567890123456, "1234567890123456.0"],
    [0, "0.0"],
  ])("writes %s as Python does", (value, expected) => {
    expect(pythonFloatRepr(value)).toBe(expected);
  });
});

describe("canonicalJson", () => {
  it("matches json.dumps(sort_keys=True, separators=(',', ':')) with ensure_ascii, DEL and code-point key order included", () => {
    const message = {
      sender_id: "orchestrator",
      recipient_id: "worker-1",
      message_type: "task",
      payload: { action: "analyze_data", dataset: "sales_q1", zeta: [1, 2.5, { b: "é ☃ 😀", a: null, c: true }], Ä: "\x7f\x00\n" },
      timestamp: new PythonFloat(1795000000),
      nonce: "a1b2c3d4e5f60718",
    };
    expect(canonicalJson(message)).toBe(
      '{"message_type":"task","nonce":"a1b2c3d4e5f60718","payload":{"action":"analyze_data","dataset":"sales_q1","zeta":[1,2.5,{"a":null,"b":"\\u00e9 \\u2603 \\ud83d\\ude00","c":true}],"\\u00c4":"\\u007f\\u0000\\n"},"recipient_id":"worker-1","sender_id":"orchestrator","timestamp":1795000000.0}',
    );
    expect(canonicalJson({ 𝒜: 1, ｚ: 2, a: 3 })).toBe('{"a":3,"\\uff5a":2,"\\ud835\\udc9c":1}');
  });

  it("refuses what JSON cannot hold instead of signing something else", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/contains itself/);
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });
});
