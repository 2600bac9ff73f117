import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { e2eEnv } from "../../lib/env";
import { apiTokenWithCli } from "../support/agents";

/** Registers an agent through the console's API (an admin's token), with the ingest rate limit a test needs. */
export async function registerAgent(prefix: string, rateLimitPerMin = 100_000): Promise<{ agentId: string; key: string }> {
  const agentId = `${prefix}-${randomUUID().slice(0, 8)}`;
  const registered = (await callApi("POST", "/api/v1/agents", apiTokens().admin, { agent_id: agentId, ingest_rate_limit_per_min: rateLimitPerMin })) as {
    agent_id: string;
    ingest_key: string;
  };
  return { agentId: registered.agent_id, key: registered.ingest_key };
}

let tokens: { responder: string; admin: string } | null = null;
/**
 * One responder and one admin API token for the run's database, made through the CLI once and kept
 * in a file: Playwright starts a new worker after a failure, and each CLI call costs seconds.
 */
export function apiTokens(): { responder: string; admin: string } {
  if (tokens) return tokens;
  const file = path.join(".data", `sdk-e2e-tokens-${createHash("sha256").update(e2eEnv().AGENTSOC_TEST_DATABASE_URL).digest("hex").slice(0, 16)}.json`);
  if (existsSync(file)) tokens = JSON.parse(readFileSync(file, "utf8")) as { responder: string; admin: string };
  else {
    tokens = { responder: apiTokenWithCli("responder"), admin: apiTokenWithCli("admin") };
    mkdirSync(".data", { recursive: true });
    writeFileSync(file, JSON.stringify(tokens), { mode: 0o600 });
  }
  return tokens;
}

export const consoleUrl = (): string => `http://127.0.0.1:${e2eEnv().AGENTSOC_E2E_PORT}`;

/** Calls the console's API with an API token; throws naming the answer when it is not a 2xx. */
export async function callApi(method: string, path: string, token: string, body?: unknown): Promise<unknown> {
  const send = () =>
    fetch(`${consoleUrl()}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // "other side closed": a kept-alive connection the server closed just as it was reused, before reading the request.
  const staleConnection = (err: unknown) => err instanceof Error && (err.cause as { code?: string } | undefined)?.code === "UND_ERR_SOCKET";
  const res = await send().catch((err: unknown) => (staleConnection(err) ? send() : Promise.reject(err)));
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Reads the e2e console's database, as the console's own role: what it stored is what counts. */
export async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: e2eEnv().AGENTSOC_TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** A logger for the SDK that keeps what it is told, for the test to read. */
export function capturingLogger(): {
  lines: LogLine[];
  debug: (m: string, f?: Record<string, unknown>) => void;
  info: (m: string, f?: Record<string, unknown>) => void;
  warn: (m: string, f?: Record<string, unknown>) => void;
  error: (m: string, f?: Record<string, unknown>) => void;
} {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    if (process.env.SDK_DEBUG) console.log(`[sdk ${level}] ${message} ${JSON.stringify(fields)}`);
    lines.push({ level, message, fields });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a value (not undefined) or the deadline passes; throws naming what was awaited. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, everyMs = 1): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
