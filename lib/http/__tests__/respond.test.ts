import { randomUUID } from "node:crypto";
import { Console } from "node:console";
import { PassThrough } from "node:stream";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appDb } from "@/db/client";
import { users } from "@/db/schema";
import { AppError, describeError, installLogScrubbing, isUnavailableError } from "@/lib/errors";
import { clientAddress, handle } from "@/lib/http/respond";

const req = () => new Request("http://soc.test/api/v1/anything", { headers: { "x-request-id": "client-chosen" } });

/** What console.error printed while `run` ran. */
async function printedToStderr(run: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.join("\n");
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  throw new Error("expected the query to fail");
}

/** A real failing query through drizzle whose parameter PostgreSQL quotes back in its message. */
const badCast = () => failure(appDb().execute(sql`SELECT ${"password=hunter2"}::int AS n`));

/** A real unique violation, whose detail names the duplicate e-mail. */
async function duplicateEmail(): Promise<{ err: Error; email: string }> {
  const email = `dup-${randomUUID()}@example.com`;
  const row = { email, role: "viewer" as const, passwordHash: "scrypt$not-a-real-hash" };
  await appDb().insert(users).values(row);
  return { err: await failure(appDb().insert(users).values(row)), email };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("handle", () => {
  it("answers an unexpected error with a generic 500 naming its request id, never its message, and logs no password it held", async () => {
    let res = new Response();
    const printed = await printedToStderr(async () => {
      res = await handle(req(), async () => {
        throw new Error("relation secret_table has password=hunter2");
      });
    });
    expect(printed).toContain(res.headers.get("x-request-id"));
    expect(printed).toContain("password=***");
    expect(printed).not.toContain("hunter2");
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

describe("describeError", () => {
  it("tells a failed drizzle query by its SQLSTATE, never by its SQL, parameters or the value PostgreSQL quotes", async () => {
    const err = await badCast();
    // The premise: drizzle's message and PostgreSQL's both carry the parameter.
    expect(err.message).toContain("hunter2");
    expect(err.cause instanceof Error && err.cause.message).toContain("hunter2");
    const described = describeError(err);
    expect(described).toBe("DrizzleQueryError: query failed <- PostgreSQL error [22P02]");
  });

  it("tells a unique violation by its constraint, never by the duplicate value in its detail", async () => {
    const { err, email } = await duplicateEmail();
    expect(JSON.stringify(err.cause)).toContain(email);
    const described = describeError(err);
    expect(described).toBe("DrizzleQueryError: query failed <- PostgreSQL error [23505]: table users, constraint users_email_unique");
    expect(described).not.toContain(email.slice(0, 12));
  });

  it("takes secrets out of other errors' messages: URL credentials, bearer tokens, password pairs", () => {
    const described = describeError(
      new Error("connect to postgres://app:s3cret@db:5432/x failed with Bearer soc_tok_abc; token: abc123 password=\"a b\"", { cause: "api_key=k-42" }),
    );
    expect(described).toBe('Error: connect to postgres://***@db:5432/x failed with Bearer ***; token: *** password=*** <- api_key=***');
    expect(describeError(new SyntaxError('Unexpected token \'p\', "password=h"... is not valid JSON'))).toBe("SyntaxError");
  });
});

describe("handle, on a failed query", () => {
  it("answers 500 and logs the failure's kind and request id, never the query's parameters or the duplicate value", async () => {
    const { err: duplicate, email } = await duplicateEmail();
    for (const thrown of [await badCast(), duplicate]) {
      let res = new Response();
      const printed = await printedToStderr(async () => {
        res = await handle(req(), async () => {
          throw thrown;
        });
      });
      expect(res.status).toBe(500);
      expect(printed).toContain(`[${res.headers.get("x-request-id")}] GET /api/v1/anything: DrizzleQueryError: query failed <- PostgreSQL error`);
      expect(printed).not.toContain("hunter2");
      expect(printed).not.toContain(email);
      expect(printed).not.toContain("SELECT");
    }
  });
});

describe("installLogScrubbing", () => {
  it("leaves what Next.js prints of a failed query, as an error or as its stack text, without SQL, parameters or quoted values", async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const logger = new Console({ stdout: out, stderr: out });
    installLogScrubbing(logger);
    const err = await badCast();
    const { err: duplicate, email } = await duplicateEmail();
    logger.error(" ⨯", err);
    logger.error(duplicate.cause);
    logger.error(err.stack);
    logger.warn(`reconnecting to redis://default:pw-123@cache:6379`);
    logger.log({ kept: "objects other than errors print as they are" });
    const printed = Buffer.concat(chunks).toString("utf8");
    expect(printed).toContain("⨯ DrizzleQueryError: query failed <- PostgreSQL error [22P02]");
    expect(printed).toContain("PostgreSQL error [23505]: table users, constraint users_email_unique");
    expect(printed).toContain("Failed query: (query and parameters not logged)");
    expect(printed).toContain("redis://***@cache:6379");
    expect(printed).toContain("objects other than errors print as they are");
    for (const secret of ["hunter2", email, "pw-123", "SELECT"]) expect(printed).not.toContain(secret);
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
