import { describe, expect, it } from "vitest";
import { classify } from "./sender.js";

describe("classify: what the sender does with each answer of the console", () => {
  it("counts stored and rejected records from 200 and 207", () => {
    const body = JSON.stringify({
      accepted: 2,
      duplicates: 1,
      rejected: [{ index: 3, event_id: null, errors: [{ path: "duration_ms", message: "Too small" }] }],
    });
    expect(classify(207, body, null)).toEqual({
      kind: "stored",
      accepted: 2,
      duplicates: 1,
      rejected: [{ index: 3, event_id: null, errors: [{ path: "duration_ms", message: "Too small" }] }],
    });
  });

  it("never retries a refusal: 400 (with the records' reasons), 401, 403, 415", () => {
    const body = JSON.stringify({ error: { code: "VALIDATION", message: "No valid event in the body", rejected: [{ index: 0, event_id: "e", errors: [] }] } });
    expect(classify(400, body, null)).toMatchObject({ kind: "all-rejected", rejected: [{ index: 0, event_id: "e" }] });
    for (const status of [401, 403, 415]) {
      expect(classify(status, '{"error":{"code":"X","message":"no"}}', null)).toEqual({ kind: "refused", status, message: `${status} X: no` });
    }
  });

  it("splits on 413 and retries 408, 429 and 5xx with the console's Retry-After", () => {
    expect(classify(413, "{}", null).kind).toBe("too-large");
    expect(classify(429, '{"error":{"code":"RATE_LIMITED","message":"later"}}', 7000)).toEqual({
      kind: "retry",
      status: 429,
      message: "429 RATE_LIMITED: later",
      retryAfter: 7000,
    });
    for (const status of [408, 500, 502, 503, 504]) expect(classify(status, "", null).kind).toBe("retry");
  });
});
