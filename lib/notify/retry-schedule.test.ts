import { describe, expect, it } from "vitest";
import { describeSendError, MAX_ATTEMPTS, nextStep, outcomeOfResponse } from "./retry-schedule";

const failure = (statusCode: number | null, retryAfter: string | null = null) =>
  statusCode === null
    ? { ok: false as const, statusCode, error: "connection refused", refused: false, retryAfterSeconds: null }
    : outcomeOfResponse(statusCode, retryAfter);

describe("retry schedule", () => {
  it("backs off 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then gives up after the 7th attempt", () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => nextStep(attempt, failure(500)));
    expect(delays).toEqual([5, 30, 120, 600, 1800, 3600].map((delaySeconds) => ({ status: "pending", delaySeconds })));
    expect(MAX_ATTEMPTS).toBe(7);
    expect(nextStep(7, failure(500))).toEqual({ status: "failed" });
    expect(nextStep(3, failure(null))).toEqual({ status: "pending", delaySeconds: 120 });
  });

  it("marks any 2xx delivered", () => {
    expect(nextStep(1, outcomeOfResponse(200, null))).toEqual({ status: "delivered" });
    expect(nextStep(7, outcomeOfResponse(204, null))).toEqual({ status: "delivered" });
  });

  it("gives up on a refusal (4xx but 408/429, or a redirect) after 3 attempts", () => {
    expect(nextStep(2, failure(404))).toEqual({ status: "pending", delaySeconds: 30 });
    expect(nextStep(3, failure(404))).toEqual({ status: "failed" });
    expect(nextStep(3, failure(401))).toEqual({ status: "failed" });
    expect(nextStep(3, failure(302))).toEqual({ status: "failed" });
    expect(nextStep(3, failure(429))).toEqual({ status: "pending", delaySeconds: 120 });
    expect(nextStep(3, failure(408))).toEqual({ status: "pending", delaySeconds: 120 });
  });

  it("honours Retry-After in seconds when it asks for longer than the back-off, up to an hour", () => {
    expect(nextStep(1, failure(429, "90"))).toEqual({ status: "pending", delaySeconds: 90 });
    expect(nextStep(3, failure(503, "10"))).toEqual({ status: "pending", delaySeconds: 120 });
    expect(nextStep(1, failure(429, "999999"))).toEqual({ status: "pending", delaySeconds: 3600 });
    expect(nextStep(1, failure(429, "Wed, 21 Oct 2015 07:28:00 GMT"))).toEqual({ status: "pending", delaySeconds: 5 });
  });

  it("describes a redirect as not followed", () => {
    expect(outcomeOfResponse(301, null)).toMatchObject({ ok: false, error: "redirect (HTTP 301) not followed", refused: true });
  });
});

describe("send errors", () => {
  const wrapped = (code: string) =>
    Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(`connect ${code} 10.0.0.1:443 https://hooks.example/T/secret`), { code }) });

  it("names the failure by its kind only, never the address (a webhook URL is a credential)", () => {
    expect(describeSendError(wrapped("ECONNREFUSED"), 5000)).toBe("connection refused");
    expect(describeSendError(wrapped("ENOTFOUND"), 5000)).toBe("host name not found");
    expect(describeSendError(wrapped("UND_ERR_SOCKET"), 5000)).toBe("connection closed by the receiver");
    expect(describeSendError(wrapped("DEPTH_ZERO_SELF_SIGNED_CERT"), 5000)).toBe("TLS error (DEPTH_ZERO_SELF_SIGNED_CERT)");
    expect(describeSendError(wrapped("ESOMETHING"), 5000)).toBe("network error (ESOMETHING)");
    expect(describeSendError(new TypeError("fetch failed: https://hooks.example/T/secret"), 5000)).toBe("network error");
    expect(describeSendError(new DOMException("The operation was aborted due to timeout", "TimeoutError"), 5000)).toBe("timed out after 5 s");
  });
});
