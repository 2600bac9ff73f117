import { ConfigError } from "./errors.js";
import type { FailPolicy } from "./kill-state.js";
import type { Logger } from "./logger.js";
import type { Canary } from "./output-guard.js";

export interface ClientOptions {
  /** The console's URL, e.g. "http://127.0.0.1:3000". Default: AGENTSOC_URL. */
  url?: string;
  /** The agent's ingest key ("soc_ik_…"). Default: AGENTSOC_INGEST_KEY. */
  ingestKey?: string;
  /** Default: AGENTSOC_AGENT_ID. */
  agentId?: string;
  /** Redis mode: read the guide's kill-switch keys there instead of following the console's stream. Default: AGENTSOC_REDIS_URL. */
  redisUrl?: string | null;
  /** "closed" (default): check() throws once the state is unknown or older than staleAfterMs. "open": it passes, and says so in the log. Default: AGENTSOC_FAIL_POLICY. */
  failPolicy?: FailPolicy;
  /** How old the last confirmed "alive" may be. Default 30 000. */
  staleAfterMs?: number;
  /** Follow the kill switch (default true). A client that only logs, and never calls check(), may turn it off. */
  watchKillSwitch?: boolean;
  /** Events per request at most. Default 500. */
  batchSize?: number;
  /** Longest an event waits before its batch goes. Default 1000. */
  flushIntervalMs?: number;
  /** Events held while the console cannot be reached; past it the oldest are dropped, counted and reported. Default 100 000. */
  maxBufferedEvents?: number;
  /** Largest uncompressed request body. Default 4 MiB. */
  maxBatchBytes?: number;
  /** Per ingest request. Default 15 000. */
  requestTimeoutMs?: number;
  /** First retry delay. Default 500. */
  retryBaseMs?: number;
  /** Longest retry delay from backoff alone (a longer Retry-After is honoured). Default 30 000. */
  retryMaxMs?: number;
  /** How long process exit (beforeExit) waits to deliver what is buffered. Default 5000. */
  exitFlushTimeoutMs?: number;
  /** Redis mode: read the keys at least this often, for changes made with redis-cli that publish nothing. Default 1000. */
  redisPollMs?: number;
  /** Where the SDK reports (rejected records, retries, kills). Default: silent unless NODE_DEBUG=agentsoc. `console` works. */
  logger?: Logger | null;
  /** Canary tokens checkOutput() blocks, besides those canary() plants. */
  canaries?: (string | Canary)[];
  /** Text checkOutput() blocks: strings match case- and spacing-insensitively, as the console's baseline does; RegExps as written. */
  forbiddenPatterns?: (string | RegExp)[];
  /** The agent's `hmac_secret` credential, for sign() and verify(). Default: AGENTSOC_HMAC_SECRET. */
  hmacSecret?: string | null;
  /** Secrets of peers that have their own, by agent id (the guide's `shared_secrets`). */
  peerSecrets?: Record<string, string>;
  /** verify() refuses messages older than this (the guide's replay window). Default 30. */
  replayWindowSeconds?: number;
  /** An admin API token, only for canary() to have the console issue a canary. Default: AGENTSOC_ADMIN_TOKEN. */
  adminToken?: string | null;
  /** Longest summary tool() writes of a call's arguments or result. Default 200. */
  summaryChars?: number;
}

export interface ResolvedConfig {
  url: string;
  ingestKey: string;
  agentId: string;
  redisUrl: string | null;
  failPolicy: FailPolicy;
  staleAfterMs: number;
  watchKillSwitch: boolean;
  batchSize: number;
  flushIntervalMs: number;
  maxBufferedEvents: number;
  maxBatchBytes: number;
  requestTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  exitFlushTimeoutMs: number;
  redisPollMs: number;
  hmacSecret: string | null;
  adminToken: string | null;
  summaryChars: number;
}

type Env = Record<string, string | undefined>;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, got ${String(value)}`);
  return value;
}

function required(option: string, envName: string, value: string | undefined): string {
  const text = value?.trim();
  if (!text) throw new ConfigError(`${option} is required: pass it to new Client({ ${option} }) or set ${envName}`);
  return text;
}

/** Options first, then the environment (AGENTSOC_URL, AGENTSOC_INGEST_KEY, AGENTSOC_AGENT_ID, AGENTSOC_REDIS_URL, AGENTSOC_FAIL_POLICY, AGENTSOC_HMAC_SECRET, AGENTSOC_ADMIN_TOKEN). */
export function resolveConfig(options: ClientOptions, env: Env = process.env): ResolvedConfig {
  const url = required("url", "AGENTSOC_URL", options.url ?? env.AGENTSOC_URL);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`url must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ConfigError(`url must be an http(s) URL, got ${JSON.stringify(url)}`);
  const failPolicy = options.failPolicy ?? (env.AGENTSOC_FAIL_POLICY?.trim() || "closed");
  if (failPolicy !== "closed" && failPolicy !== "open") throw new ConfigError(`failPolicy must be "closed" or "open", got ${JSON.stringify(failPolicy)}`);
  const redisUrl = options.redisUrl === undefined ? env.AGENTSOC_REDIS_URL?.trim() || null : options.redisUrl;
  return {
    url,
    ingestKey: required("ingestKey", "AGENTSOC_INGEST_KEY", options.ingestKey ?? env.AGENTSOC_INGEST_KEY),
    agentId: required("agentId", "AGENTSOC_AGENT_ID", options.agentId ?? env.AGENTSOC_AGENT_ID),
    redisUrl,
    failPolicy,
    staleAfterMs: positive("staleAfterMs", options.staleAfterMs, 30_000),
    watchKillSwitch: options.watchKillSwitch ?? true,
    batchSize: Math.floor(positive("batchSize", options.batchSize, 500)),
    flushIntervalMs: positive("flushIntervalMs", options.flushIntervalMs, 1000),
    maxBufferedEvents: Math.floor(positive("maxBufferedEvents", options.maxBufferedEvents, 100_000)),
    maxBatchBytes: positive("maxBatchBytes", options.maxBatchBytes, 4 * 1024 * 1024),
    requestTimeoutMs: positive("requestTimeoutMs", options.requestTimeoutMs, 15_000),
    retryBaseMs: positive("retryBaseMs", options.retryBaseMs, 500),
    retryMaxMs: positive("retryMaxMs", options.retryMaxMs, 30_000),
    exitFlushTimeoutMs: positive("exitFlushTimeoutMs", options.exitFlushTimeoutMs, 5000),
    redisPollMs: positive("redisPollMs", options.redisPollMs, 1000),
    hmacSecret: options.hmacSecret === undefined ? env.AGENTSOC_HMAC_SECRET || null : options.hmacSecret,
    adminToken: options.adminToken === undefined ? env.AGENTSOC_ADMIN_TOKEN || null : options.adminToken,
    summaryChars: Math.floor(positive("summaryChars", options.summaryChars, 200)),
  };
}
