import pg from "pg";
import { describe, expect, it } from "vitest";
import { AppError, isUnavailableError } from "@/lib/errors";
import { clientAddress, handle } from "@/lib/http/respond";

const req = () => new Request("http://soc.test/api/v1/anything", { headers: { "x-request-id": "client-chosen" } });

describe("handle", () => {
  it("answers an unexpected error with a generic 500 naming its request id, never its message", async () => {
    const res = await handle(req(), async () => {
      throw new Error("relation secret_table has password=hunter2");
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("secret_table");
    const body = JSON.parse(text) as { error: { code: string; request_id: string } };
    expect(body.error.code).toBe("INTERNAL");
    expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
    expect(body.error.request_id).not.toBe("client-chosen");
  });

  it("answers 503 with Retry-After when PostgreSQL cannot be reached", async () => {
    const pool = new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:1/none", connectionTimeoutMillis: 1000 });
    const res = await handle(req(), async () => {
      await pool.query("SELECT 1");
      return new Response("unreachable");
    });
    await pool.end();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
  });

  it("passes AppErrors through with their status, headers and details", async () => {
    const res = await handle(req(), async () => {
      throw new AppError("RATE_LIMITED", "slow down", { headers: { "Retry-After": "7" }, details: { limit: 5 } });
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toMatchObject({ error: { code: "RATE_LIMITED", message: "slow down", limit: 5 } });
  });
});

describe("isUnavailableError", () => {
  it("recognises connection, overload and lost-race errors through wrappers, and nothing else", () => {
    const wrapped = (code: string) => new Error("query failed", { cause: Object.assign(new Error("x"), { code }) });
    expect(isUnavailableError(wrapped("ECONNREFUSED"))).toBe(true);
    expect(isUnavailableError(wrapped("08006"))).toBe(true);
    expect(isUnavailableError(wrapped("53300"))).toBe(true);
    expect(isUnavailableError(wrapped("57P01"))).toBe(true);
    expect(isUnavailableError(wrapped("40P01"))).toBe(true);
    expect(isUnavailableError(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(isUnavailableError(wrapped("23505"))).toBe(false);
    expect(isUnavailableError(new Error("boom"))).toBe(false);
  });
});

describe("clientAddress", () => {
  it("with no trusted proxy, is the TCP peer: nothing the client wrote in X-Forwarded-For counts", () => {
    expect(clientAddress("6.6.6.6", "203.0.113.9", 0)).toBe("203.0.113.9");
    expect(clientAddress("6.6.6.6, 10.0.0.5", "203.0.113.9", 0)).toBe("203.0.113.9");
    expect(clientAddress("6.6.6.6", null, 0)).toBeNull();
    expect(clientAddress(null, null, 0)).toBeNull();
  });

  it("behind trusted proxies, takes the entry the outermost of them appended, whatever the client put before it", () => {
    expect(clientAddress("203.0.113.9", "10.0.0.5", 1)).toBe("203.0.113.9");
    expect(clientAddress("6.6.6.6, 203.0.113.9", "10.0.0.5", 1)).toBe("203.0.113.9");
    expect(clientAddress("6.6.6.6, 198.51.100.2, 10.0.0.5", "10.0.0.6", 2)).toBe("198.51.100.2");
    expect(clientAddress("6.6.6.6, 198.51.100.2, 10.0.0.5", null, 2)).toBe("198.51.100.2");
    // Fewer entries than proxies: the request did not come through them all, so its address is unknown.
    expect(clientAddress("10.0.0.5", "10.0.0.6", 2)).toBeNull();
    expect(clientAddress(null, "10.0.0.6", 1)).toBeNull();
  });
});
