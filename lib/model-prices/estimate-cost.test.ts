import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES } from "./default-prices";
import { estimateCost, priceFor, priceTable } from "./estimate-cost";

describe("priceFor", () => {
  const table = priceTable(DEFAULT_PRICES, []);

  it("prices dated and provider-prefixed model names by their family, the most specific entry first", () => {
    expect(priceFor(table, "gpt-4o-2024-08-06")?.model).toBe("gpt-4o");
    expect(priceFor(table, "gpt-4o-mini-2024-07-18")?.model).toBe("gpt-4o-mini");
    expect(priceFor(table, "openai/GPT-4.1-mini")?.model).toBe("gpt-4.1-mini");
    expect(priceFor(table, "models/gemini-2.5-flash-lite")?.model).toBe("gemini-2.5-flash-lite");
    expect(priceFor(table, "claude-sonnet-4-5-20250929")?.model).toBe("claude-sonnet-4");
    expect(priceFor(table, "claude-opus-4-1-20250805")?.model).toBe("claude-opus-4-1");
  });

  it("matches only at a name boundary and knows nothing of unlisted models", () => {
    expect(priceFor(table, "o3x")).toBeNull();
    expect(priceFor(table, "gpt-4")).toBeNull();
    expect(priceFor(table, "my-fine-tune")).toBeNull();
    expect(priceFor(table, "")).toBeNull();
  });

  it("lets an admin's price replace a default and add a model", () => {
    const edited = priceTable(DEFAULT_PRICES, [
      { model: "GPT-4o", inputUsdPerMtok: 1, outputUsdPerMtok: 2 },
      { model: "acme-llm", inputUsdPerMtok: 3, outputUsdPerMtok: 4 },
    ]);
    expect(priceFor(edited, "gpt-4o-2024-08-06")).toMatchObject({ inputUsdPerMtok: 1, outputUsdPerMtok: 2, source: "admin" });
    expect(priceFor(edited, "acme-llm-v2")).toMatchObject({ source: "admin", model: "acme-llm" });
    expect(priceFor(edited, "gpt-4o-mini")).toMatchObject({ source: "default" });
  });
});

describe("estimateCost", () => {
  const table = priceTable([{ model: "m", inputUsdPerMtok: 2, outputUsdPerMtok: 8 }], []);

  it("adds input and output tokens at their prices", () => {
    expect(estimateCost(table, "m", { input: 1_000, output: 500 })).toBeCloseTo(0.006, 10);
    expect(estimateCost(table, "m", { input: 1_000_000, output: null })).toBe(2);
  });

  it("gives no cost without a priced model or any token count", () => {
    expect(estimateCost(table, "unknown", { input: 10, output: 10 })).toBeNull();
    expect(estimateCost(table, null, { input: 10, output: 10 })).toBeNull();
    expect(estimateCost(table, "m", { input: null, output: null })).toBeNull();
  });
});
