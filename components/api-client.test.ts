import { describe, expect, it } from "vitest";
import { z } from "zod";
import { zodFieldErrors } from "./api-client";

describe("zodFieldErrors", () => {
  const schema = z.object({
    name: z.string().min(1, "Name it"),
    config: z.object({ port: z.number().int().min(1, "A port from 1").max(65535) }),
  });

  it("names each failing field by its dotted path, the way the server's errors do", () => {
    const parsed = schema.safeParse({ name: "", config: { port: 0 } });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(zodFieldErrors(parsed.error)).toEqual({ name: "Name it", "config.port": "A port from 1" });
  });

  it("keeps the first message when a field fails twice, and files a whole-object failure under form", () => {
    const twice = z.object({ code: z.string().min(6, "Six digits").regex(/^\d+$/, "Digits only") });
    const parsed = twice.safeParse({ code: "ab" });
    if (parsed.success) throw new Error("expected a failure");
    expect(zodFieldErrors(parsed.error)).toEqual({ code: "Six digits" });
    const whole = z
      .object({})
      .refine(() => false, "Nothing matches")
      .safeParse({});
    if (whole.success) throw new Error("expected a failure");
    expect(zodFieldErrors(whole.error)).toEqual({ form: "Nothing matches" });
  });
});
