import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signatureHeaders, signBody, signingKeyFor, verifySignature } from "./signing";

const SECRET = "unit-test-secret-0123456789";
const ID = "4f9a4c8e-2a63-4b8e-9a1c-0d2f5e6b7c8d";

describe("webhook signatures", () => {
  it("derives the key as HMAC-SHA256(SOC_SECRET, agentsoc:webhook:<id>:<version>) in hex, new per version", () => {
    const key = signingKeyFor(SECRET, ID, 1);
    expect(key).toBe(createHmac("sha256", SECRET).update(`agentsoc:webhook:${ID}:1`).digest("hex"));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(signingKeyFor(SECRET, ID, 2)).not.toBe(key);
  });

  it("signs <timestamp>.<raw body> and sends the timestamp alongside", () => {
    const key = signingKeyFor(SECRET, ID, 1);
    const body = '{"event":"test"}';
    const headers = signatureHeaders(key, body, 1_767_225_600_500);
    expect(headers["X-AgentSOC-Timestamp"]).toBe("1767225600");
    expect(headers["X-AgentSOC-Signature"]).toBe(`sha256=${createHmac("sha256", key).update(`1767225600.${body}`).digest("hex")}`);
  });

  it("verifies the receiver's side: the exact body, the right key, a fresh timestamp", () => {
    const key = signingKeyFor(SECRET, ID, 1);
    const body = '{"event":"alert.opened","alert":{"id":1}}';
    const now = 1_767_225_600_000;
    const timestamp = String(now / 1000);
    const signature = signBody(key, timestamp, body);
    expect(verifySignature({ signingKey: key, rawBody: body, timestamp, signature, nowMs: now })).toBe(true);
    expect(verifySignature({ signingKey: key, rawBody: `${body} `, timestamp, signature, nowMs: now })).toBe(false);
    expect(verifySignature({ signingKey: signingKeyFor(SECRET, ID, 2), rawBody: body, timestamp, signature, nowMs: now })).toBe(false);
    expect(verifySignature({ signingKey: key, rawBody: body, timestamp, signature, nowMs: now + 301_000 })).toBe(false);
    expect(verifySignature({ signingKey: key, rawBody: body, timestamp: String(now / 1000 + 1), signature, nowMs: now })).toBe(false);
    expect(verifySignature({ signingKey: key, rawBody: body, timestamp: null, signature, nowMs: now })).toBe(false);
    expect(verifySignature({ signingKey: key, rawBody: body, timestamp, signature: "sha256=00", nowMs: now })).toBe(false);
    expect(verifySignature({ signingKey: key, rawBody: body, timestamp: "1e9", signature, nowMs: now })).toBe(false);
  });
});
