import { describe, expect, it, vi } from "vitest";

const secretMock = vi.hoisted(() => ({ value: null as string | null }));
vi.mock("@/lib/env", () => ({ socSecret: () => secretMock.value }));

const { openSealed, requireSocSecret, sealText } = await import("./seal");

const SECRET = "unit-test-secret-0123456789";
const URL_TEXT = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX";

describe("sealed webhook URLs", () => {
  it("round-trips, in the v1.<iv>.<tag>.<ciphertext> format, and hides the text", () => {
    const sealed = sealText(URL_TEXT, SECRET);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("hooks.slack.com");
    expect(sealed).not.toContain("XXXXXXXX");
    expect(openSealed(sealed, SECRET)).toBe(URL_TEXT);
  });

  it("uses a fresh IV each time", () => {
    expect(sealText(URL_TEXT, SECRET)).not.toBe(sealText(URL_TEXT, SECRET));
  });

  it("detects tampering with any part, and a different secret", () => {
    const sealed = sealText(URL_TEXT, SECRET);
    const [version, iv, tag, body] = sealed.split(".") as [string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, "base64url");
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString("base64url");
    };
    expect(openSealed([version, flip(iv), tag, body].join("."), SECRET)).toBeNull();
    expect(openSealed([version, iv, flip(tag), body].join("."), SECRET)).toBeNull();
    expect(openSealed([version, iv, tag, flip(body)].join("."), SECRET)).toBeNull();
    // A truncated tag would otherwise be checked as a shorter, weaker tag.
    expect(openSealed([version, iv, Buffer.from(tag, "base64url").subarray(0, 4).toString("base64url"), body].join("."), SECRET)).toBeNull();
    expect(openSealed(["v2", iv, tag, body].join("."), SECRET)).toBeNull();
    expect(openSealed(`${sealed}.extra`, SECRET)).toBeNull();
    expect(openSealed("not sealed", SECRET)).toBeNull();
    expect(openSealed(sealed, "another-secret-0123456789")).toBeNull();
  });

  it("refuses, with an UNAVAILABLE error naming SOC_SECRET, when no secret is configured", () => {
    secretMock.value = null;
    expect(() => requireSocSecret("create a notification destination")).toThrow(
      expect.objectContaining({ code: "UNAVAILABLE", message: expect.stringContaining("set SOC_SECRET") }),
    );
    secretMock.value = SECRET;
    expect(requireSocSecret("create a notification destination")).toBe(SECRET);
  });
});
