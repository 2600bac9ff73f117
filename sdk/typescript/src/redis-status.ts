import { type BackoffOptions, backoffDelay } from "./backoff.js";
import type { KnownStatus } from "./kill-state.js";

/** The guide's layout (ARCHITECTURE.md, "Kill switch in Redis"), which the console writes. */
export const KEY_PREFIX = "agent:killswitch";
export const GLOBAL_KEY = `${KEY_PREFIX}:global`;
export const EVENTS_CHANNEL = `${KEY_PREFIX}:events`;
/** The console's marker: without it Redis has lost its data and not yet been restored, so its silence proves nothing. */
export const MARKER_KEY = "agentsoc:killswitch:marker";

export const agentKey = (agentId: string): string => `${KEY_PREFIX}:${agentId}`;

interface PipelineLike {
  get(key: string): PipelineLike;
  hgetall(key: string): PipelineLike;
  exists(key: string): PipelineLike;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** The little of ioredis this SDK uses, so that ioredis stays optional (loaded only in Redis mode). */
interface RedisLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(): Promise<void>;
  disconnect(): void;
  subscribe(channel: string): Promise<unknown>;
  pipeline(): PipelineLike;
  stream?: { unref?: () => void };
}
type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisLike;

async function loadIoredis(): Promise<RedisConstructor> {
  const name = "ioredis";
  const mod = (await import(name)) as { default?: unknown; Redis?: unknown };
  const ctor = (typeof mod.Redis === "function" ? mod.Redis : mod.default) as RedisConstructor | undefined;
  if (typeof ctor !== "function") throw new Error("the ioredis module has no Redis class");
  return ctor;
}

/** An agent's status from the three reads, as the guide's `is_alive` and the console decide it; null: cannot tell. */
export function statusFromRedis(
  globalRead: [Error | null, unknown],
  agentRead: [Error | null, unknown],
  markerRead: [Error | null, unknown],
): KnownStatus | { unknown: string } {
  const [globalErr, globalRaw] = globalRead;
  if (globalErr && !/WRONGTYPE/.test(globalErr.message)) return { unknown: `Redis read failed: ${globalErr.message}` };
  if (globalErr) return { alive: false, reason: "Global kill switch active: unreadable global kill switch key (not a string)", source: "redis-direct" };
  if (typeof globalRaw === "string") {
    let killed = true;
    let reason = "unreadable global kill switch value in Redis";
    try {
      const value = JSON.parse(globalRaw) as { killed?: unknown; reason?: unknown };
      killed = value.killed === true || value.killed === "true";
      reason = typeof value.reason === "string" ? value.reason : "Unknown";
    } catch {
      // unreadable counts as a kill, as the console reads it
    }
    if (killed) return { alive: false, reason: `Global kill switch active: ${reason}`, source: "redis-direct" };
  }
  const [agentErr, agentRaw] = agentRead;
  if (agentErr && !/WRONGTYPE/.test(agentErr.message)) return { unknown: `Redis read failed: ${agentErr.message}` };
  if (agentErr) return { alive: false, reason: "Agent killed: unreadable kill switch key (not a hash)", source: "redis-direct" };
  const fields = (agentRaw ?? {}) as Record<string, string>;
  if (fields.killed === "true") return { alive: false, reason: `Agent killed: ${fields.reason ?? "Unknown"}`, source: "redis-direct" };
  const [markerErr, marker] = markerRead;
  if (markerErr) return { unknown: `Redis read failed: ${markerErr.message}` };
  if (marker === 0) return { unknown: `Redis holds no ${MARKER_KEY}: it has lost its data and the console has not restored it yet` };
  return { alive: true, reason: "Agent is active", source: "redis-direct" };
}

export interface RedisWatcherOptions {
  redisUrl: string;
  agentId: string;
  /** Read the keys at least this often (a change made with redis-cli publishes nothing). */
  pollMs: number;
  commandTimeoutMs: number;
  reconnect: BackoffOptions;
  onStatus(status: KnownStatus): void;
  onTrouble(reason: string): void;
}

/**
 * Redis mode: subscribes to agent:killswitch:events and reads the agent's and the global key on
 * every message and every pollMs. Sockets and timers are unref'd; a lost connection is made again.
 */
export class RedisWatcher {
  private stopped = false;
  private clients: RedisLike[] = [];
  private pollTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private reading = false;
  private readAgain = false;

  constructor(
    private readonly options: RedisWatcherOptions,
    private readonly loadRedis: () => Promise<RedisConstructor> = loadIoredis,
  ) {}

  /** Rejects only when ioredis cannot be loaded; connection trouble is reported through onTrouble and retried. */
  async start(): Promise<void> {
    const Redis = await this.loadRedis();
    void this.connect(Redis);
  }

  stop(): void {
    this.stopped = true;
    this.teardown();
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private teardown(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    for (const client of this.clients) client.disconnect();
    this.clients = [];
  }

  private async connect(Redis: RedisConstructor): Promise<void> {
    if (this.stopped) return;
    const options = {
      lazyConnect: true,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: this.options.commandTimeoutMs,
      commandTimeout: this.options.commandTimeoutMs,
    };
    const reader = new Redis(this.options.redisUrl, options);
    const subscriber = new Redis(this.options.redisUrl, options);
    this.clients = [reader, subscriber];
    let failed = false;
    const fail = (reason: string) => {
      if (failed || this.stopped) return;
      failed = true;
      this.teardown();
      this.options.onTrouble(reason);
      this.retryTimer = setTimeout(() => void this.connect(Redis), backoffDelay(this.attempt++, this.options.reconnect));
      this.retryTimer.unref();
    };
    for (const client of this.clients) {
      client.on("connect", () => client.stream?.unref?.());
      client.on("error", (err) => fail(`Redis: ${(err as Error).message}`));
      client.on("end", () => fail("Redis connection closed"));
    }
    subscriber.on("message", (_channel, message) => {
      if (this.concernsMe(String(message))) void this.read();
    });
    try {
      await Promise.all([reader.connect(), subscriber.connect()]);
      await subscriber.subscribe(EVENTS_CHANNEL);
    } catch (err) {
      fail(`Redis: ${(err as Error).message}`);
      return;
    }
    if (failed || this.stopped) return;
    this.attempt = 0;
    await this.read();
    this.pollTimer = setInterval(() => void this.read(), this.options.pollMs);
    this.pollTimer.unref();
  }

  /** A message naming another agent is not ours; anything else (kill_all, lift_all, unreadable) may be. */
  private concernsMe(message: string): boolean {
    try {
      const parsed = JSON.parse(message) as { agent_id?: unknown };
      return typeof parsed.agent_id !== "string" || parsed.agent_id === this.options.agentId;
    } catch {
      return true;
    }
  }

  private async read(): Promise<void> {
    const reader = this.clients[0];
    if (!reader) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.readAgain = false;
        const replies = await reader
          .pipeline()
          .get(GLOBAL_KEY)
          .hgetall(agentKey(this.options.agentId))
          .exists(MARKER_KEY)
          .exec()
          .catch((err: unknown) => err as Error);
        if (replies instanceof Error || !replies) {
          this.options.onTrouble(`Redis read failed: ${replies instanceof Error ? replies.message : "no reply"}`);
          continue;
        }
        const none: [Error | null, unknown] = [new Error("no reply"), null];
        const status = statusFromRedis(replies[0] ?? none, replies[1] ?? none, replies[2] ?? none);
        if ("unknown" in status) this.options.onTrouble(status.unknown);
        else this.options.onStatus(status);
      } while (this.readAgain && !this.stopped);
    } finally {
      this.reading = false;
    }
  }
}
