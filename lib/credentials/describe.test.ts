import { describe, expect, it } from "vitest";
import { credentialLocation, displayConfig } from "./describe";

describe("how a credential is shown", () => {
  it("hides a webhook URL's query string (it may carry a token) and names where each kind lives", () => {
    const config = { url: "https://vault.example/rotate?token=s3cr3t", secret_id: "prod/db" };
    expect(displayConfig("webhook", config)).toEqual({ url: "https://vault.example/rotate?…", secret_id: "prod/db" });
    expect(JSON.stringify(displayConfig("webhook", config))).not.toContain("s3cr3t");
    expect(credentialLocation("webhook", config)).toBe("prod/db via vault.example");
    expect(credentialLocation("postgres_role", { role: "billing", host: "db", port: 5432, database: "orders" })).toBe("postgres://billing@db:5432/orders");
    expect(credentialLocation("redis_acl_user", { username: "cache", host: "r", port: 6380 })).toBe("redis://cache@r:6380");
  });
});
