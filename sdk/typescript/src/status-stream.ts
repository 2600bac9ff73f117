import http from "node:http";
import https from "node:https";
import { type BackoffOptions, backoffDelay, retryAfterMs } from "./backoff.js";
import { agentPath, consoleMessage, endpoint, USER_AGENT } from "./endpoint.js";
import { type SseEvent, SseParser } from "./sse-parser.js";

export interface StatusStreamOptions {
  baseUrl: string;
  agentId: string;
  ingestKey: string;
  /** A `status` event's data, parsed. */
  onStatus(data: unknown): void;
  /** The console ended the stream because the key was revoked. */
  onRevoked(message: string): void;
  /** The stream is down, with why and when it last heard anything (epoch ms); it is retried. */
  onDown(reason: string, lastDataAtMs: number | null): void;
  /** Nothing heard (status or ping) for this long: the connection is taken for dead and made again. */
  idleTimeoutMs: number;
  reconnect: BackoffOptions;
}

/** The longest wait before asking again after the console refused the key (401/403/404). */
const REFUSED_RETRY_MS = 30_000;
const MAX_ERROR_BODY = 16 * 1024;

/**
 * Follows GET /api/v1/agents/{id}/status/stream. Made with node:http rather than fetch so that its
 * socket can be unref'd: an open stream must never keep the agent's process alive.
 */
export class StatusStream {
  private stopped = false;
  private request: http.ClientRequest | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private attempt = 0;

  constructor(private readonly options: StatusStreamOptions) {}

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.request?.destroy();
    this.request = null;
  }

  private connect(): void {
    if (this.stopped) return;
    const url = new URL(endpoint(this.options.baseUrl, agentPath(this.options.agentId, "status/stream")));
    const transport = url.protocol === "https:" ? https : http;
    let finished = false;
    let lastDataAtMs: number | null = null;
    const finish = (reason: string, delayMs: number) => {
      if (finished) return;
      finished = true;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      request.destroy();
      if (this.request === request) this.request = null;
      if (this.stopped) return;
      this.options.onDown(reason, lastDataAtMs);
      this.retryTimer = setTimeout(() => this.connect(), delayMs);
      this.retryTimer.unref();
    };
    const backoff = () => backoffDelay(this.attempt++, this.options.reconnect);
    const armIdle = () => {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => finish(`status stream silent for ${this.options.idleTimeoutMs / 1000} s`, backoff()), this.options.idleTimeoutMs);
      this.idleTimer.unref();
    };

    const request = transport.request(url, {
      method: "GET",
      agent: false,
      headers: { authorization: `Bearer ${this.options.ingestKey}`, accept: "text/event-stream", "user-agent": USER_AGENT },
    });
    this.request = request;
    request.on("socket", (socket) => socket.unref());
    armIdle();
    request.on("error", (err) => finish(`status stream: ${err.message}`, backoff()));
    request.on("response", (res) => {
      const status = res.statusCode ?? 0;
      res.setEncoding("utf8");
      if (status !== 200) {
        let body = "";
        res.on("data", (chunk: string) => {
          if (body.length < MAX_ERROR_BODY) body += chunk;
        });
        res.on("end", () => {
          const refused = status === 401 || status === 403 || status === 404;
          const retryAfter = retryAfterMs(res.headers["retry-after"] as string | undefined);
          const wait = refused ? Math.max(backoff(), REFUSED_RETRY_MS) : Math.max(retryAfter ?? 0, backoff());
          finish(`status stream answered ${status}: ${consoleMessage(body)}`, wait);
        });
        return;
      }
      const parser = new SseParser();
      res.on("data", (chunk: string) => {
        lastDataAtMs = Date.now();
        armIdle();
        let events: SseEvent[];
        try {
          events = parser.push(chunk);
        } catch (err) {
          finish(`status stream: ${(err as Error).message}`, backoff());
          return;
        }
        for (const event of events) {
          if (event.event === "status") {
            let data: unknown;
            try {
              data = JSON.parse(event.data);
            } catch {
              continue;
            }
            this.attempt = 0;
            this.options.onStatus(data);
          } else if (event.event === "revoked") {
            this.options.onRevoked(revokedMessage(event.data));
            finish("status stream ended: the ingest key was revoked", REFUSED_RETRY_MS);
            return;
          }
        }
      });
      res.on("end", () => finish("status stream closed by the console", backoff()));
      res.on("error", (err) => finish(`status stream: ${err.message}`, backoff()));
    });
    request.end();
  }
}

function revokedMessage(data: string): string {
  try {
    const parsed = JSON.parse(data) as { error?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
  } catch {
    // fall through
  }
  return "ingest key revoked";
}
