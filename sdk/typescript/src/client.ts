import { backoffDelay } from "./backoff.js";
import { type ClientOptions, type ResolvedConfig, resolveConfig } from "./config.js";
import { agentPath, consoleMessage, describeFailure, endpoint, USER_AGENT } from "./endpoint.js";
import { AgentKilled, KillSwitchUnavailable } from "./errors.js";
import { eventLine, newEventId, newSessionId } from "./event.js";
import { KillState, type KnownStatus } from "./kill-state.js";
import { defaultLogger, type Level, type Logger, logTo } from "./logger.js";
import { type Canary, type OutputFinding, OutputGuard } from "./output-guard.js";
import { RedisWatcher } from "./redis-status.js";
import { Sender, type SenderStats } from "./sender.js";
import { Session, type SessionOptions } from "./session.js";
import { MessageSigner, type OutgoingMessage, type SecureAgentMessage } from "./signing.js";
import { StatusStream } from "./status-stream.js";

export type CanaryOptions = { token: string; label?: string } | { placement?: "system_prompt" | "document" | "tool"; label?: string; adminToken?: string };

export interface KillSwitchView {
  mode: "stream" | "redis" | "off";
  alive: boolean | null;
  reason: string | null;
  /** When the state was last confirmed (epoch ms), or null. */
  confirmedAtMs: number | null;
  /** Kills acknowledged to the console. */
  acks: number;
}

export interface ClientStats extends SenderStats {
  killSwitch: KillSwitchView;
}

/** Events the SDK reports itself (dropped events, a fallback acknowledgement) go in the session that logged last, or one of their own. */
const sdkSessionId = () => `sdk_${newSessionId().slice(5)}`;

/**
 * The AgentSOC client: one per agent process. It follows the kill switch in the background, sends
 * what sessions log in batches, and acknowledges a kill the moment it hears of it.
 */
export class Client {
  readonly agentId: string;
  private readonly config: ResolvedConfig;
  private readonly logger: Logger | null;
  private readonly sender: Sender;
  private readonly killState: KillState;
  private readonly guard = new OutputGuard();
  private readonly signer: MessageSigner | null;
  private lastSession: string = sdkSessionId();
  private pendingAck: Promise<void> | null = null;
  private stream: StatusStream | null = null;
  private redis: RedisWatcher | null = null;
  private mode: KillSwitchView["mode"] = "off";
  private readyWaiters: (() => void)[] = [];
  private acks = 0;
  private warnedOpen = false;
  private closed = false;
  private exitFlushStarted = false;
  private readonly onBeforeExit = () => this.flushOnExit();

  constructor(options: ClientOptions = {}) {
    this.config = resolveConfig(options);
    this.agentId = this.config.agentId;
    this.logger = options.logger === undefined ? defaultLogger() : options.logger;
    this.killState = new KillState(this.config.failPolicy, this.config.staleAfterMs);
    for (const canary of options.canaries ?? []) this.guard.addCanary(typeof canary === "string" ? { token: canary, label: "configured canary" } : canary);
    for (const pattern of options.forbiddenPatterns ?? []) this.guard.addForbidden(pattern);
    this.signer =
      this.config.hmacSecret || options.peerSecrets
        ? new MessageSigner({
            agentId: this.agentId,
            secret: this.config.hmacSecret,
            peerSecrets: options.peerSecrets,
            maxAgeSeconds: options.replayWindowSeconds,
          })
        : null;
    this.sender = new Sender({
      baseUrl: this.config.url,
      ingestKey: this.config.ingestKey,
      batchSize: this.config.batchSize,
      flushIntervalMs: this.config.flushIntervalMs,
      maxBufferedEvents: this.config.maxBufferedEvents,
      maxBatchBytes: this.config.maxBatchBytes,
      requestTimeoutMs: this.config.requestTimeoutMs,
      retry: { baseMs: this.config.retryBaseMs, maxMs: this.config.retryMaxMs },
      maxInternalErrorRetries: 5,
      logger: this.logger,
      dropReport: (droppedNow, droppedTotal) => this.dropReport(droppedNow, droppedTotal),
    });
    if (this.config.watchKillSwitch) this.watch();
    process.on("beforeExit", this.onBeforeExit);
  }

  /** A new session (an id is generated unless given). */
  session(id?: string, options?: SessionOptions): Session {
    return new Session(
      {
        agentId: this.agentId,
        summaryChars: this.config.summaryChars,
        check: () => this.check(),
        enqueue: (line, sessionId) => {
          this.lastSession = sessionId;
          this.sender.enqueue(line);
        },
        findInOutput: (text) => this.findInOutput(text),
        warn: (message, fields) => this.log("warn", message, fields),
      },
      id ?? newSessionId(),
      options,
    );
  }

  /** Resolves true once the kill switch's state is known (the first status heard), false after timeoutMs. */
  ready(timeoutMs = 5000): Promise<boolean> {
    if (this.killState.known) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.readyWaiters.push(waiter);
    });
  }

  /** Throws AgentKilled when the agent must stop (see Session.check). Reads memory only. */
  check(): void {
    const decision = this.killState.decide(Date.now());
    if (!decision.allowed) throw decision.kind === "killed" ? new AgentKilled(decision.reason) : new KillSwitchUnavailable(decision.reason);
    if (decision.warning && !this.warnedOpen) {
      this.warnedOpen = true;
      this.log("warn", `acting without a fresh kill-switch state, as fail policy "open" allows: ${decision.warning}`);
    } else if (!decision.warning) this.warnedOpen = false;
  }

  /** Whether check() would pass now. Never throws for a network problem. */
  isAlive(): boolean {
    return this.killState.decide(Date.now()).allowed;
  }

  /** Resolves true once everything logged so far is stored or refused by the console, false after timeoutMs. */
  flush(timeoutMs = 5000): Promise<boolean> {
    return this.sender.flush(timeoutMs);
  }

  /** Flushes (up to timeoutMs), then stops the sender and the kill-switch watch. Resolves true when nothing was lost. */
  async close(timeoutMs = 5000): Promise<boolean> {
    if (this.closed) return this.sender.pending === 0;
    this.closed = true;
    process.off("beforeExit", this.onBeforeExit);
    this.stream?.stop();
    this.redis?.stop();
    const deadline = Date.now() + timeoutMs;
    // An agent that stops and exits at once is still counted as stopped.
    if (this.pendingAck) await within(this.pendingAck, timeoutMs);
    const delivered = await this.sender.flush(Math.max(0, deadline - Date.now()));
    await this.sender.abandon();
    return delivered && this.sender.stats().abandoned === 0;
  }

  stats(): ClientStats {
    const known = this.killState.known;
    return {
      ...this.sender.stats(),
      killSwitch: {
        mode: this.mode,
        alive: known?.alive ?? null,
        reason: known?.reason ?? null,
        confirmedAtMs: this.killState.lastConfirmedMs,
        acks: this.acks,
      },
    };
  }

  /**
   * A canary token for checkOutput() to block: one given (`{token}`), or a new one the console
   * issues and registers for this agent (with the adminToken option, an admin API token). Returns the token to plant.
   */
  async canary(options: CanaryOptions = {}): Promise<string> {
    if ("token" in options) {
      this.guard.addCanary({ token: options.token, label: options.label ?? "configured canary" });
      return options.token;
    }
    const adminToken = options.adminToken ?? this.config.adminToken;
    if (!adminToken)
      throw new Error(
        "canary() needs an admin API token to have the console issue one (the adminToken option or AGENTSOC_ADMIN_TOKEN), or a token of your own: canary({ token })",
      );
    const placement = options.placement ?? "system_prompt";
    const label = options.label ?? `${placement.replace("_", " ")} of ${this.agentId}`;
    const res = await fetch(endpoint(this.config.url, "/api/v1/canaries"), {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json", "user-agent": USER_AGENT },
      body: JSON.stringify({ agent_id: this.agentId, placement, label }),
      signal: AbortSignal.timeout(this.config.requestTimeoutMs),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`the console refused to issue a canary (${res.status}): ${consoleMessage(text)}`);
    const issued = JSON.parse(text) as { token: string; label: string };
    this.guard.addCanary({ token: issued.token, label: issued.label });
    return issued.token;
  }

  /** A signed message to another agent (the guide's create_message): sender_id, timestamp, nonce and signature are filled in. */
  sign(message: OutgoingMessage): SecureAgentMessage {
    return this.requireSigner().sign(message);
  }

  /** The guide's verify_message: returns the message, or throws MessageRejected (replayed, stale, forged, misaddressed, unknown sender). */
  verify(message: SecureAgentMessage): SecureAgentMessage {
    return this.requireSigner().verify(message);
  }

  private requireSigner(): MessageSigner {
    if (!this.signer)
      throw new Error("sign() and verify() need the hmacSecret option or AGENTSOC_HMAC_SECRET (the agent's hmac_secret credential), or peerSecrets");
    return this.signer;
  }

  private findInOutput(text: string): OutputFinding | null {
    return this.guard.find(text);
  }

  private log(level: Level, message: string, fields?: Record<string, unknown>): void {
    logTo(this.logger, level, message, { agent_id: this.agentId, ...fields });
  }

  private watch(): void {
    if (this.config.redisUrl) {
      this.mode = "redis";
      const watcher = new RedisWatcher({
        redisUrl: this.config.redisUrl,
        agentId: this.agentId,
        pollMs: this.config.redisPollMs,
        commandTimeoutMs: 2000,
        reconnect: { baseMs: 250, maxMs: 5000 },
        onStatus: (status) => this.heard(status, false),
        onTrouble: (reason) => this.troubled(reason, null),
      });
      this.redis = watcher;
      watcher.start().catch((err: unknown) => {
        this.redis = null;
        this.log("error", `Redis mode needs the ioredis package (${describeFailure(err)}); following the console's status stream instead`);
        this.followStream();
      });
      return;
    }
    this.followStream();
  }

  private followStream(): void {
    if (this.closed) return;
    this.mode = "stream";
    this.stream = new StatusStream({
      baseUrl: this.config.url,
      agentId: this.agentId,
      ingestKey: this.config.ingestKey,
      idleTimeoutMs: 20_000,
      reconnect: { baseMs: 250, maxMs: 5000 },
      onStatus: (data) => this.heardFromConsole(data),
      onRevoked: (message) => {
        this.killState.unknown(`the console revoked this agent's ingest key (${message})`);
        this.log("error", `the console ended the status stream: ${message}`);
      },
      onDown: (reason, lastDataAtMs) => this.troubled(reason, lastDataAtMs),
    });
    this.stream.start();
  }

  private heardFromConsole(data: unknown): void {
    const status = data as { alive?: unknown; reason?: unknown; source?: unknown } | null;
    if (typeof status?.alive !== "boolean") return;
    const reason = typeof status.reason === "string" ? status.reason : status.alive ? "Agent is active" : "killed";
    const source = typeof status.source === "string" ? status.source : "console";
    // The console could read neither Redis nor its record: it cannot tell, and the fail policy decides.
    if (source === "none") {
      this.killState.unknown(`the console cannot tell this agent's state: ${reason}`);
      this.log("warn", `the console cannot tell this agent's kill-switch state: ${reason}`);
      return;
    }
    this.heard({ alive: status.alive, reason, source }, true);
  }

  private heard(status: KnownStatus, live: boolean): void {
    const before = this.killState.known;
    const newKill = this.killState.heard(status, Date.now(), live);
    for (const waiter of this.readyWaiters.splice(0)) waiter();
    if (newKill) {
      this.log("warn", `this agent was told to stop: ${status.reason}`, { source: status.source });
      const ack = this.acknowledge(status.reason).finally(() => {
        if (this.pendingAck === ack) this.pendingAck = null;
      });
      this.pendingAck = ack;
    } else if (status.alive && before && !before.alive) {
      this.log("info", "this agent may act again: the kill was lifted", { source: status.source });
    }
  }

  private troubled(reason: string, lastDataAtMs: number | null): void {
    this.killState.down(reason, lastDataAtMs);
    this.log("debug", `kill switch: ${reason}`);
  }

  /**
   * Tells the console this agent has stopped, so it shows the time to stop. The kill reaches agents
   * before the console's record of it commits; a console that answers "not acknowledged" for that
   * reason (one without the ack waiting on the kill-switch lock) is asked again;
   * if the console cannot be reached, the ack goes with the events (the console takes a killswitch_ack event too).
   */
  private async acknowledge(reason: string): Promise<void> {
    const stoppedAtMs = Date.now();
    const url = endpoint(this.config.url, agentPath(this.agentId, "ack"));
    // The console records acknowledgements of this agent's own kill; a global kill is never "acknowledged".
    const recordable = !reason.startsWith("Global kill switch active");
    let answered = false;
    for (let attempt = 0; attempt < 8; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, backoffDelay(attempt - 1, { baseMs: 100, maxMs: 2000 })).unref());
      if (this.closed || this.killState.known?.alive !== false) return;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${this.config.ingestKey}`, "user-agent": USER_AGENT },
          signal: AbortSignal.timeout(5000),
        });
        const text = await res.text();
        if (res.ok) {
          answered = true;
          const acknowledged = (parseJson(text) as { acknowledged?: unknown } | null)?.acknowledged === true;
          if (acknowledged || !recordable) {
            this.acks++;
            this.log("info", acknowledged ? "kill acknowledged to the console" : "global kill acknowledged to the console");
            return;
          }
          // "Not acknowledged": the record has not taken the kill yet, or another process of this agent acknowledged it first.
          continue;
        }
        if (res.status < 500 && res.status !== 429) {
          this.log("warn", `the console refused the kill acknowledgement (${res.status}): ${consoleMessage(text)}`);
          return;
        }
      } catch (err) {
        this.log("debug", `kill acknowledgement failed: ${describeFailure(err)}`);
      }
    }
    if (answered) return;
    this.enqueueSdkEvent("killswitch_ack", `Agent stopped after a kill: ${reason}`, { reason }, stoppedAtMs);
    this.acks++;
  }

  private dropReport(droppedNow: number, droppedTotal: number): string {
    return this.sdkEventLine(
      "sdk_events_dropped",
      `The AgentSOC SDK dropped ${droppedNow} events (${droppedTotal} in all): its buffer of ${this.config.maxBufferedEvents} was full while the console could not take them`,
      { dropped: droppedNow, dropped_total: droppedTotal, max_buffer: this.config.maxBufferedEvents },
      ["sdk_events_dropped"],
    );
  }

  private enqueueSdkEvent(name: string, summary: string, metadata: Record<string, unknown>, atMs: number): void {
    this.sender.enqueue(this.sdkEventLine(name, summary, metadata, [name], atMs));
  }

  private sdkEventLine(name: string, summary: string, metadata: Record<string, unknown>, flags: string[], atMs: number = Date.now()): string {
    return eventLine({
      timestamp: atMs / 1000,
      agent_id: this.agentId,
      session_id: this.lastSession,
      action_type: "security",
      action_name: name,
      input_summary: summary,
      output_summary: "",
      duration_ms: 0,
      security_flags: flags,
      metadata,
      event_id: newEventId(),
    }).line;
  }

  /** beforeExit: what is still buffered gets up to exitFlushTimeoutMs to reach the console (once; a ref'd timer keeps the process for it). */
  private flushOnExit(): void {
    if (this.exitFlushStarted || this.closed || this.sender.pending === 0) return;
    this.exitFlushStarted = true;
    void this.sender.flush(this.config.exitFlushTimeoutMs).then(async (delivered) => {
      if (!delivered) await this.sender.abandon();
    });
  }
}

/** Waits for `promise` at most `ms`, leaving no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export type { Canary };
