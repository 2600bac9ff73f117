import { describe, expect, it } from "vitest";
import { resolveConfig } from "./config.js";

describe("resolveConfig", () => {
  it("takes options first, then AGENTSOC_* variables, with the documented defaults", () => {
    const env = { AGENTSOC_URL: "http://console:3000", AGENTSOC_INGEST_KEY: "soc_ik_x", AGENTSOC_AGENT_ID: "a", AGENTSOC_FAIL_POLICY: "open" };
    expect(resolveConfig({}, env)).toMatchObject({
      url: "http://console:3000",
      ingestKey: "soc_ik_x",
      agentId: "a",
      failPolicy: "open",
      redisUrl: null,
      staleAfterMs: 30_000,
      batchSize: 500,
      flushIntervalMs: 1000,
    });
    expect(resolveConfig({ agentId: "b", failPolicy: "closed" }, env)).toMatchObject({
      agentId: "b",
      failPolicy: "closed",
      hmacSecret: null,
      adminToken: null,
      summaryChars: 200,
    });
    expect(resolveConfig({}, { ...env, AGENTSOC_HMAC_SECRET: "s", AGENTSOC_ADMIN_TOKEN: "soc_at_x" })).toMatchObject({
      hmacSecret: "s",
      adminToken: "soc_at_x",
    });
  });

  it("names the missing or malformed setting", () => {
    expect(() => resolveConfig({}, {})).toThrow("url is required: pass it to new Client({ url }) or set AGENTSOC_URL");
    expect(() => resolveConfig({ url: "ftp://x", ingestKey: "k", agentId: "a" }, {})).toThrow(/http\(s\) URL/);
    expect(() => resolveConfig({ url: "http://x", agentId: "a" }, {})).toThrow(/AGENTSOC_INGEST_KEY/);
    expect(() => resolveConfig({ url: "http://x", ingestKey: "k", agentId: "a", batchSize: 0 }, {})).toThrow("batchSize must be a positive number, got 0");
    expect(() => resolveConfig({ url: "http://x", ingestKey: "k", agentId: "a", failPolicy: "maybe" as "open" }, {})).toThrow(/failPolicy/);
  });
});
