import { Console } from "node:console";
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appDb } from "@/db/client";
import { users } from "@/db/schema";
import { AppError, describeError, installLogScrubbing, isUnavailableError, scrubLogText } from "@/lib/errors";
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
      new Error('connect to postgres://app:s3cret@db:5432/x failed with Bearer soc_tok_abc; token: abc123 password="a b"', { cause: "api_key=k-42" }),
    );
    expect(described).toBe("Error: connect to postgres://***@db:5432/x failed with Bearer ***; token: *** password=*** <- api_key=***");
    expect(describeError(new SyntaxError("Unexpected token 'p', \"password=h\"... is not valid JSON"))).toBe("SyntaxError");
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

/** A logger writing into a string, scrubbed as the server's console is. */
function scrubbedLogger(): { logger: Console; printed: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const logger = new Console({ stdout: out, stderr: out });
  installLogScrubbing(logger);
  return { logger, printed: () => Buffer.concat(chunks).toString("utf8") };
}

describe("scrubLogText", () => {
  it("masks secrets under JSON-quoted names and inside longer names, keeping the name", () => {
    expect(scrubLogText('{"password":"hunter2","user":"bob"}')).toBe('{"password":***,"user":"bob"}');
    expect(scrubLogText('{"db_password": "hun\\"ter2", "x-api-key":\'k-1\'}')).toBe('{"db_password": ***, "x-api-key":***}');
    expect(scrubLogText("PGPASSWORD=abc psql -h db")).toBe("PGPASSWORD=*** psql -h db");
    expect(scrubLogText("SOC_SECRET=s3cr3t-value REDIS_URL=x")).toBe("SOC_SECRET=*** REDIS_URL=x");
    expect(scrubLogText("retry=3:password=hunter2")).toBe("retry=3:password=***");
  });

  it("masks the console's own tokens, keys and session tokens wherever they appear, keeping their kind", () => {
    const text = "got soc_at_AbC-123_xyz, key soc_ik_ZZZ9-_q and cookie soc_session=soc_s_Q1w2E3";
    const scrubbed = scrubLogText(text);
    for (const secret of ["AbC-123_xyz", "ZZZ9-_q", "Q1w2E3"]) expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain("soc_at_***");
    expect(scrubbed).toContain("soc_ik_***");
  });

  it("masks Basic credentials after Authorization and on their own, but not the word basic", () => {
    const b64 = Buffer.from("alice:hunter2").toString("base64");
    expect(scrubLogText(`Authorization: Basic ${b64}`)).toBe("Authorization: Basic ***");
    expect(scrubLogText(`sent header basic ${b64} to the proxy`)).toBe("sent header basic *** to the proxy");
    expect(scrubLogText("basic auth is not configured")).toBe("basic auth is not configured");
  });

  it("reads a long hostile text in linear time", () => {
    const started = performance.now();
    for (const unit of ["a-", "password", "a=", "x://", "Failed query: ", "basic ", "soc_at_"]) scrubLogText(unit.repeat(100_000));
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("installLogScrubbing, on values inside objects and arrays", () => {
  it("describes errors nested in objects, arrays, Maps and Sets, and masks secret-named keys", async () => {
    const { logger, printed } = scrubbedLogger();
    const err = await badCast();
    logger.error({ err });
    logger.error("x", [err]);
    logger.error({ deep: { deeper: [{ cause: err }] } });
    logger.log(new Map([["password", "hunter2"]]), new Set([err]));
    logger.log({ password: "hunter2", credentials: { user: "bob", pass: "hunter2" }, max_tokens: 512, note: "url postgres://app:hunter2@db/x" });
    const out = printed();
    expect(out).toContain("DrizzleQueryError: query failed <- PostgreSQL error [22P02]");
    expect(out).toContain("max_tokens: 512");
    expect(out).toContain("postgres://***@db/x");
    for (const secret of ["hunter2", "SELECT", "params"]) expect(out).not.toContain(secret);
  });

  it("prints a cycle and a very deep value without crashing or walking forever", () => {
    const { logger, printed } = scrubbedLogger();
    const cyclic: Record<string, unknown> = { name: "loop", token: "soc_at_secretvalue" };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, { password: "hunter2" }];
    logger.log(cyclic);
    let deep: unknown = "password=hunter2";
    for (let i = 0; i < 10_000; i++) deep = { inner: deep };
    logger.dir(deep, { depth: null });
    logger.error(deep);
    const wide = Array.from({ length: 50_000 }, (_, i) => ({ i, password: `pw-${i}` }));
    logger.log(wide);
    const out = printed();
    expect(out).toContain("[Circular]");
    expect(out).toContain("loop");
    for (const secret of ["hunter2", "secretvalue", "pw-1"]) expect(out).not.toContain(secret);
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
    // A proxy that appends the port as well: the address alone, so address ranges still match it.
    expect(clientAddress("203.0.113.9:443", "10.0.0.5", 1)).toBe("203.0.113.9");
    expect(clientAddress("[2001:db8::1]:443", "10.0.0.5", 1)).toBe("2001:db8::1");
    expect(clientAddress("2001:db8::1", "10.0.0.5", 1)).toBe("2001:db8::1");
    // Fewer entries than proxies: the request did not come through them all, so its address is unknown.
    expect(clientAddress("10.0.0.5", "10.0.0.6", 2)).toBeNull();
    expect(clientAddress(null, "10.0.0.6", 1)).toBeNull();
  });
});
