import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { type BackoffOptions, retryAfterMs, retryDelay } from "./backoff.js";
import { consoleMessage, describeFailure, endpoint, USER_AGENT } from "./endpoint.js";
import { Fifo } from "./fifo.js";
import { type Logger, logTo } from "./logger.js";

const gzipAsync = promisify(gzip);

export interface SenderOptions {
  baseUrl: string;
  ingestKey: string;
  /** A batch goes when it holds this many events… */
  batchSize: number;
  /** …or when its oldest event has waited this long. */
  flushIntervalMs: number;
  /** Events held at most (besides one batch in flight); past it the oldest are dropped and counted. */
  maxBufferedEvents: number;
  /** A batch's uncompressed size at most (the console refuses bodies over 10 MiB by default). */
  maxBatchBytes: number;
  requestTimeoutMs: number;
  retry: BackoffOptions;
  /** A 500 (a fault in the console, not an outage) is retried this many times, then the batch is given up with its request id logged. */
  maxInternalErrorRetries: number;
  logger: Logger | null;
  /** The line of the security event that tells the console how many events were dropped. */
  dropReport(droppedNow: number, droppedTotal: number): string;
}

interface Queued {
  seq: number;
  line: string;
  bytes: number;
  enqueuedAtMs: number;
}

export interface SenderStats {
  /** Events handed to log(). */
  logged: number;
  /** Stored by the console (its "accepted"). */
  delivered: number;
  /** Already stored before (a retry of a batch whose answer was lost). */
  duplicates: number;
  /** Refused by the console, with the reason logged; never retried. */
  rejected: number;
  /** Dropped because the buffer was full (the oldest first). */
  dropped: number;
  /** Given up at close or exit, when the deadline passed before the console took them. */
  abandoned: number;
  /** Requests retried (429, 5xx, network). */
  retries: number;
  /** Waiting in the buffer or in flight. */
  queued: number;
  lastError: string | null;
}

export type Outcome =
  | { kind: "stored"; accepted: number; duplicates: number; rejected: RejectedRecord[] }
  | { kind: "all-rejected"; rejected: RejectedRecord[]; message: string }
  | { kind: "too-large"; message: string }
  | { kind: "refused"; status: number; message: string }
  | { kind: "retry"; status: number | null; message: string; retryAfter: number | null; staleConnection?: boolean };

interface RejectedRecord {
  index: number;
  event_id: string | null;
  errors: { path: string; message: string }[];
}

/**
 * The background sender: log() only enqueues here; batches leave by count or by age as gzip
 * NDJSON, one request at a time, retried with backoff (same bytes, so the same event ids) until the
 * console stores them or refuses them for good.
 */
export class Sender {
  private readonly queue = new Fifo<Queued>();
  private inflight: Queued[] = [];
  private seq = 0;
  private unreportedDrops = 0;
  private readonly counts = { logged: 0, delivered: 0, duplicates: 0, rejected: 0, dropped: 0, abandoned: 0, retries: 0 };
  private lastError: string | null = null;
  private wakeUp: (() => void) | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private flushWaiters: { target: number; resolve: (done: boolean) => void }[] = [];
  private abandoned = false;
  private request: AbortController | null = null;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private readonly url: string;
  private readonly stopped: Promise<void>;

  constructor(private readonly options: SenderOptions) {
    this.url = endpoint(options.baseUrl, "/api/v1/ingest");
    this.stopped = this.loop();
  }

  /** O(1) and never throws: the line is queued, and the oldest queued line dropped when the buffer is full. */
  enqueue(line: string): void {
    if (this.abandoned) {
      this.counts.abandoned++;
      return;
    }
    this.counts.logged++;
    this.queue.push({ seq: ++this.seq, line, bytes: Buffer.byteLength(line), enqueuedAtMs: Date.now() });
    let dropped = false;
    while (this.queue.length > this.options.maxBufferedEvents) {
      this.queue.shift();
      this.counts.dropped++;
      this.unreportedDrops++;
      dropped = true;
    }
    if (dropped) this.settled();
    if (this.queue.length >= this.options.batchSize || this.queue.length === 1) this.wake();
  }

  get pending(): number {
    return this.queue.length + this.inflight.length;
  }

  stats(): SenderStats {
    return { ...this.counts, queued: this.pending, lastError: this.lastError };
  }

  /** Resolves true once every event logged before the call is stored or refused; false at the timeout. */
  flush(timeoutMs: number): Promise<boolean> {
    const target = this.seq;
    if (this.doneUpTo(target)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.flushWaiters = this.flushWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        target,
        resolve: (done: boolean) => {
          clearTimeout(timer);
          resolve(done);
        },
      };
      this.flushWaiters.push(waiter);
      this.wake();
    });
  }

  /** Stops for good: the request in flight is cancelled, what is still held is counted as abandoned. */
  async abandon(): Promise<void> {
    this.abandoned = true;
    this.request?.abort();
    this.wakeFromSleep();
    this.wake();
    await this.stopped;
  }

  private doneUpTo(target: number): boolean {
    const oldestInflight = this.inflight[0]?.seq ?? Infinity;
    const oldestQueued = this.queue.peek()?.seq ?? Infinity;
    return Math.min(oldestInflight, oldestQueued) > target;
  }

  private settled(): void {
    if (this.flushWaiters.length === 0) return;
    const still: typeof this.flushWaiters = [];
    for (const waiter of this.flushWaiters) {
      if (this.doneUpTo(waiter.target)) waiter.resolve(true);
      else still.push(waiter);
    }
    this.flushWaiters = still;
  }

  private wake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }

  private batchDue(): boolean {
    const oldest = this.queue.peek();
    if (!oldest) return false;
    return (
      this.abandoned ||
      this.queue.length >= this.options.batchSize ||
      this.flushWaiters.length > 0 ||
      Date.now() - oldest.enqueuedAtMs >= this.options.flushIntervalMs
    );
  }

  private waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      const oldest = this.queue.peek();
      if (oldest) {
        this.wakeTimer = setTimeout(() => this.wake(), Math.max(0, oldest.enqueuedAtMs + this.options.flushIntervalMs - Date.now()));
        this.wakeTimer.unref();
      }
    });
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.abandoned) break;
      if (!this.batchDue()) {
        await this.waitForWork();
        continue;
      }
      const finished = await this.deliver(this.takeBatch());
      if (!finished) break;
      this.inflight = [];
      this.settled();
    }
    const lost = this.pending;
    this.counts.abandoned += lost;
    this.inflight = [];
    while (this.queue.shift()) {
      // dropped: the deadline passed
    }
    if (lost > 0)
      logTo(this.options.logger, "error", `${lost} events were not delivered before the deadline and are lost`, { lost, last_error: this.lastError });
    for (const waiter of this.flushWaiters) waiter.resolve(false);
    this.flushWaiters = [];
  }

  private takeBatch(): Queued[] {
    const batch: Queued[] = [];
    let bytes = 0;
    for (let next = this.queue.peek(); next && batch.length < this.options.batchSize; next = this.queue.peek()) {
      if (batch.length > 0 && bytes + next.bytes > this.options.maxBatchBytes) break;
      batch.push(next);
      bytes += next.bytes + 1;
      this.queue.shift();
    }
    this.inflight = batch;
    return batch;
  }

  /** Delivers one batch: true once stored or refused for good; false only when abandoned first. */
  private async deliver(batch: Queued[]): Promise<boolean> {
    // A plain Uint8Array (copied from the Buffer) is a body every fetch typing accepts.
    const body = new Uint8Array(await gzipAsync(Buffer.from(`${batch.map((q) => q.line).join("\n")}\n`, "utf8")));
    let troubled = false;
    let internalErrors = 0;
    for (let attempt = 0; !this.abandoned; attempt++) {
      const outcome = await this.post(body);
      switch (outcome.kind) {
        case "stored":
          this.counts.delivered += outcome.accepted;
          this.counts.duplicates += outcome.duplicates;
          this.reportRejected(batch, outcome.rejected, "the console rejected a record; it is not retried");
          if (troubled) logTo(this.options.logger, "info", `the console took the batch after ${attempt} retries`, { events: batch.length });
          this.reportDrops();
          return true;
        case "all-rejected":
          this.reportRejected(batch, outcome.rejected, "the console rejected a record; it is not retried");
          if (outcome.rejected.length === 0) this.refuse(batch, 400, outcome.message);
          return true;
        case "too-large": {
          if (batch.length === 1) {
            this.refuse(batch, 413, outcome.message);
            return true;
          }
          const half = Math.ceil(batch.length / 2);
          return (await this.deliver(batch.slice(0, half))) && (await this.deliver(batch.slice(half)));
        }
        case "refused":
          this.refuse(batch, outcome.status, outcome.message);
          return true;
        case "retry": {
          this.lastError = outcome.message;
          if (outcome.status === 500 && ++internalErrors > this.options.maxInternalErrorRetries) {
            this.refuse(batch, 500, `${outcome.message} (given up after ${internalErrors} answers of 500)`);
            return true;
          }
          if (!troubled)
            logTo(this.options.logger, "warn", `cannot deliver events, retrying: ${outcome.message}`, { events: batch.length, pending: this.pending });
          troubled = true;
          this.counts.retries++;
          // Most often a kept-alive connection closed while idle: sent again at once (the event ids make a repeat harmless).
          if (outcome.staleConnection && attempt === 0) continue;
          await this.sleep(retryDelay(attempt, outcome.retryAfter, this.options.retry));
        }
      }
    }
    return false;
  }

  private refuse(batch: Queued[], status: number, message: string): void {
    this.counts.rejected += batch.length;
    this.lastError = message;
    logTo(this.options.logger, "error", `the console refused a batch of ${batch.length} events; they are not retried: ${message}`, {
      status,
      event_ids: batch.slice(0, 10).map((q) => eventIdOf(q.line)),
    });
  }

  private reportRejected(batch: Queued[], rejected: RejectedRecord[], message: string): void {
    for (const record of rejected) {
      this.counts.rejected++;
      const line = batch[record.index]?.line;
      logTo(this.options.logger, "warn", message, {
        event_id: record.event_id ?? (line ? eventIdOf(line) : null),
        action_name: line ? actionNameOf(line) : null,
        errors: record.errors,
      });
    }
  }

  private reportDrops(): void {
    if (this.unreportedDrops === 0) return;
    const dropped = this.unreportedDrops;
    this.unreportedDrops = 0;
    const line = this.options.dropReport(dropped, this.counts.dropped);
    logTo(this.options.logger, "warn", `${dropped} events were dropped: the buffer of ${this.options.maxBufferedEvents} was full`, {
      dropped,
      dropped_total: this.counts.dropped,
    });
    // Sent first in the next batch, so the console hears of the gap as soon as it can.
    this.queue.unshift({ seq: 0, line, bytes: Buffer.byteLength(line), enqueuedAtMs: 0 });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping = null;
        resolve();
      }, ms);
      timer.unref();
      this.sleeping = { timer, resolve };
    });
  }

  private wakeFromSleep(): void {
    if (!this.sleeping) return;
    clearTimeout(this.sleeping.timer);
    this.sleeping.resolve();
    this.sleeping = null;
  }

  private async post(body: Uint8Array<ArrayBuffer>): Promise<Outcome> {
    const controller = new AbortController();
    this.request = controller;
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.options.requestTimeoutMs} ms`)), this.options.requestTimeoutMs);
    timer.unref();
    let status: number;
    let text: string;
    let retryAfter: number | null;
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.options.ingestKey}`,
          "content-type": "application/x-ndjson",
          "content-encoding": "gzip",
          "user-agent": USER_AGENT,
        },
        body,
        signal: controller.signal,
      });
      status = res.status;
      retryAfter = retryAfterMs(res.headers.get("retry-after"));
      text = await res.text();
    } catch (err) {
      const reason = controller.signal.aborted && controller.signal.reason instanceof Error ? controller.signal.reason.message : describeFailure(err);
      return { kind: "retry", status: null, message: `${this.url}: ${reason}`, retryAfter: null, staleConnection: isStaleConnection(err) };
    } finally {
      clearTimeout(timer);
      this.request = null;
    }
    return classify(status, text, retryAfter);
  }
}

export function classify(status: number, text: string, retryAfter: number | null): Outcome {
  const message = `${status} ${consoleMessage(text)}`;
  if (status === 200 || status === 207) {
    const parsed = parseJson(text) as { accepted?: unknown; duplicates?: unknown; rejected?: unknown } | null;
    return {
      kind: "stored",
      accepted: typeof parsed?.accepted === "number" ? parsed.accepted : 0,
      duplicates: typeof parsed?.duplicates === "number" ? parsed.duplicates : 0,
      rejected: rejectedRecords(parsed?.rejected),
    };
  }
  if (status === 400) {
    const parsed = parseJson(text) as { error?: { rejected?: unknown } } | null;
    return { kind: "all-rejected", rejected: rejectedRecords(parsed?.error?.rejected), message };
  }
  if (status === 413) return { kind: "too-large", message };
  if (status === 408 || status === 425 || status === 429 || status >= 500) return { kind: "retry", status, message, retryAfter };
  return { kind: "refused", status, message };
}

/** undici's "other side closed", or a reset: most often a kept-alive connection the console had just closed. */
function isStaleConnection(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : null;
  const code = cause && typeof cause === "object" && "code" in cause ? String(cause.code) : "";
  return code === "UND_ERR_SOCKET" || code === "ECONNRESET";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function rejectedRecords(value: unknown): RejectedRecord[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((r: unknown) => {
    if (typeof r !== "object" || r === null) return [];
    const record = r as { index?: unknown; event_id?: unknown; errors?: unknown };
    return typeof record.index === "number"
      ? [
          {
            index: record.index,
            event_id: typeof record.event_id === "string" ? record.event_id : null,
            errors: Array.isArray(record.errors) ? (record.errors as RejectedRecord["errors"]) : [],
          },
        ]
      : [];
  });
}

const eventIdOf = (line: string): string | null => /"event_id":"([0-9a-f-]{36})"/.exec(line)?.[1] ?? null;
const actionNameOf = (line: string): string | null => {
  try {
    const name = (JSON.parse(line) as { action_name?: unknown }).action_name;
    return typeof name === "string" ? name : null;
  } catch {
    return null;
  }
};
