import { createHash, createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify as verifySignature } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { backoffDelay } from "./backoff.js";
import { describeFailure, USER_AGENT } from "./endpoint.js";
import { ConfigError, type ToolTokenRefusalReason, ToolTokenRefused } from "./errors.js";
import { defaultLogger, type Logger, logTo } from "./logger.js";
import type { Session } from "./session.js";
import { SseParser } from "./sse-parser.js";
import { duplicateMember } from "./strict-json.js";

export const TOOL_TOKEN_ISSUER = "agentsoc";
export const TOOL_TOKEN_AUDIENCE = "agentsoc-tools";
/** A token is a few hundred bytes; anything near this is not one of the console's and is refused before any decoding. */
export const MAX_TOOL_TOKEN_CHARS = 8 * 1024;
/** The spec: a verifier meeting an unknown kid asks for the JWKS again at most this often. */
export const JWKS_REFETCH_INTERVAL_MS = 30_000;
/** Keys are fetched again this long after the last fetch, so that a key the console dropped stops verifying. */
const JWKS_MAX_AGE_MS = 600_000;
const MAX_DOCUMENT_CHARS = 1024 * 1024;
/** The console sends a keepalive every 15 s: a stream silent for longer is taken for dead. */
const STREAM_LIVENESS_MS = 20_000;
/** The longest a token can live: an entry of the revocation list without a readable exp is kept this long. */
const MAX_TOKEN_TTL_S = 3600;

/** The claims of a verified tool token (the guide's AgentTokenManager fields and the standard ones). */
export interface ToolTokenClaims {
  sub: string;
  exp: number;
  iat?: number;
  iss?: string;
  aud?: string | string[];
  jti?: string;
  tools: string[];
  permissions: string[];
  tool_permissions?: Record<string, string[]>;
  nonce?: string;
  [claim: string]: unknown;
}

/** What a refusal is reported through: a Client (or anything whose session() logs events like a Session). */
export interface RefusalReporter {
  session(): Pick<Session, "log">;
}

export interface RevokedToken {
  jti: string;
  exp: number;
}

export interface ToolTokenVerifierOptions {
  /** The console's public keys, `https://…/.well-known/jwks.json`: fetched, cached, fetched again for an unknown kid. */
  jwksUrl?: string;
  /** The keys themselves instead (a JWKS or an array of JWKs); never fetched. */
  keys?: { keys: unknown[] } | unknown[];
  /** Accept HS256 tokens signed with this shared secret (the guide's own form). Without it HS256 is refused. */
  hs256Secret?: string | Uint8Array;
  /** The console's revocation list, `https://…/api/v1/tool-tokens/revocations`. */
  revocationsUrl?: string;
  /** Follow the list's live stream (revocationsUrl + "/stream"), so a kill's revocations arrive at once. */
  followRevocations?: boolean;
  /** Clock skew allowed on exp, iat and nbf. Default 5. */
  leewaySeconds?: number;
  /** Report each refusal as a `security` event through this client (never the token itself). */
  client?: RefusalReporter;
  /** "closed" (default): while the revocation list cannot be had, every token is refused. "open": the last list known is used. */
  fail?: "closed" | "open";
  /** How old the revocation list may be before it is read again (when the stream is not live). Default 10 s. */
  revocationsMaxAgeMs?: number;
  /** Least time between two JWKS fetches caused by unknown kids. Default 30 s (the spec's). */
  jwksRefetchIntervalMs?: number;
  /** Timeout of each fetch. Default 5 s. */
  timeoutMs?: number;
  logger?: Logger | null;
  /** The clock, epoch ms (tests). */
  now?: () => number;
}

class Refusal extends Error {
  claims: Record<string, unknown> | null = null;
  constructor(
    readonly reason: ToolTokenRefusalReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const invalid = (detail: string) => new Refusal("agent_token_invalid", detail);
const short = (value: unknown): string => {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};
const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === "string");
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Strict base64url: the URL-safe alphabet, no padding, and only the one canonical spelling of the bytes. */
function decodeBase64url(part: string, what: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1) throw invalid(`malformed base64url in the ${what}`);
  const raw = Buffer.from(part, "base64url");
  if (raw.toString("base64url") !== part) throw invalid(`malformed base64url in the ${what} (not its canonical form)`);
  return raw;
}

function parseObject(raw: Buffer, what: string): Record<string, unknown> {
  let text: string;
  let value: unknown;
  try {
    text = utf8.decode(raw);
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(`the ${what} is not valid JSON (${describeFailure(err).slice(0, 120)})`);
  }
  if (!isObject(value)) throw invalid(`the ${what} is not a JSON object`);
  const duplicate = duplicateMember(text);
  if (duplicate !== null) throw invalid(`the ${what} is not valid JSON (duplicate member ${short(duplicate.slice(0, 50))})`);
  return value;
}

/** RFC 7638 thumbprint of an Ed25519 JWK: its kid in AgentSOC's JWKS. */
export function jwkThumbprint(x: string): string {
  return createHash("sha256")
    .update(JSON.stringify({ crv: "Ed25519", kty: "OKP", x }))
    .digest("base64url");
}

/** Ed25519 public keys by kid from a JWKS (or an array of JWKs); keys of other types or uses are left out. */
export function publicKeysOf(document: unknown): Map<string, KeyObject> {
  const entries = Array.isArray(document) ? document : isObject(document) ? document.keys : undefined;
  if (!Array.isArray(entries)) throw new ConfigError('a JWKS must be {"keys": [...]} or an array of JWKs');
  const keys = new Map<string, KeyObject>();
  for (const jwk of entries) {
    if (!isObject(jwk) || jwk.kty !== "OKP" || jwk.crv !== "Ed25519") continue;
    if ((jwk.alg ?? "EdDSA") !== "EdDSA" || (jwk.use ?? "sig") !== "sig") continue;
    if (typeof jwk.kid !== "string" || !jwk.kid || typeof jwk.x !== "string") continue;
    try {
      if (decodeBase64url(jwk.x, "key").length !== 32) continue;
      keys.set(jwk.kid, createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" }));
    } catch {
      // a key that does not read is left out
    }
  }
  return keys;
}

async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json", "user-agent": USER_AGENT }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`${url}: ${describeFailure(err)}`);
  }
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_DOCUMENT_CHARS) {
    await res.body?.cancel();
    throw new Error(`${url} answered more than ${MAX_DOCUMENT_CHARS} bytes`);
  }
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  if (text.length > MAX_DOCUMENT_CHARS) throw new Error(`${url} answered more than ${MAX_DOCUMENT_CHARS} characters`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${url} did not answer JSON`);
  }
}

function httpUrl(url: string, name: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${name} must be an http:// or https:// URL, got ${short(url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ConfigError(`${name} must be an http:// or https:// URL, got ${short(url)}`);
  return url;
}

/**
 * Checks the tool tokens AgentSOC issues, as the guide's validate_token does, in the spec's order:
 * format and alg, signature, expiry / issuer / audience, revocation, then the tool and the
 * permission (also per tool when the token carries tool_permissions). Make one per process and keep it.
 */
export class ToolTokenVerifier {
  readonly jwksUrl: string | null;
  readonly revocationsUrl: string | null;
  private readonly secret: Buffer | null;
  private readonly leeway: number;
  private readonly fail: "closed" | "open";
  private readonly revocationsMaxAgeMs: number;
  private readonly jwksRefetchIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly logger: Logger | null;
  private readonly now: () => number;
  private readonly client: RefusalReporter | null;
  private session: Pick<Session, "log"> | null = null;
  private keys: Map<string, KeyObject> | null;
  private keysAtMs: number | null = null;
  private jwksTriedAtMs: number | null = null;
  private jwksInFlight: Promise<void> | null = null;
  private fetches = 0;
  private readonly revoked = new Map<string, number>();
  private revocationsAtMs: number | null = null;
  private streamOpen = false;
  private streamHeardMs: number | null = null;
  private stopped = false;
  private request: http.ClientRequest | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private attempt = 0;

  constructor(options: ToolTokenVerifierOptions) {
    if (options.jwksUrl && options.keys) throw new ConfigError("give jwksUrl or keys, not both");
    if (options.followRevocations && !options.revocationsUrl) throw new ConfigError("followRevocations needs revocationsUrl");
    if (options.fail !== undefined && options.fail !== "closed" && options.fail !== "open") throw new ConfigError('fail must be "closed" or "open"');
    const secret = options.hs256Secret === undefined ? null : Buffer.from(options.hs256Secret);
    if (secret !== null && secret.length === 0) throw new ConfigError("hs256Secret must not be empty");
    if (!options.jwksUrl && !options.keys && secret === null)
      throw new ConfigError("a verifier needs public keys (jwksUrl or keys) or a shared secret (hs256Secret)");
    this.jwksUrl = options.jwksUrl ? httpUrl(options.jwksUrl, "jwksUrl") : null;
    this.revocationsUrl = options.revocationsUrl ? httpUrl(options.revocationsUrl, "revocationsUrl") : null;
    this.keys = options.keys ? publicKeysOf(options.keys) : null;
    this.secret = secret;
    this.leeway = options.leewaySeconds ?? 5;
    this.fail = options.fail ?? "closed";
    this.revocationsMaxAgeMs = options.revocationsMaxAgeMs ?? 10_000;
    this.jwksRefetchIntervalMs = options.jwksRefetchIntervalMs ?? JWKS_REFETCH_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.logger = options.logger === undefined ? defaultLogger() : options.logger;
    this.now = options.now ?? Date.now;
    this.client = options.client ?? null;
    if (options.followRevocations) this.follow();
  }

  /** A verifier for the tokens the console at `url` issues: its JWKS, and its revocation list followed live. */
  static fromConsole(url: string, options: Omit<ToolTokenVerifierOptions, "jwksUrl" | "keys"> = {}): ToolTokenVerifier {
    const base = httpUrl(url, "url").replace(/\/+$/, "");
    return new ToolTokenVerifier({
      revocationsUrl: `${base}/api/v1/tool-tokens/revocations`,
      followRevocations: true,
      ...options,
      jwksUrl: `${base}/.well-known/jwks.json`,
    });
  }

  /** The guide's validate_token: the token's claims when it grants `permission` on `tool`, null otherwise (reported). */
  async verifyToolToken(token: unknown, tool: string, permission: string): Promise<ToolTokenClaims | null> {
    try {
      return await this.requireToolToken(token, tool, permission);
    } catch (err) {
      if (err instanceof ToolTokenRefused) return null;
      throw err;
    }
  }

  /** Like verifyToolToken, but throws ToolTokenRefused (with the guide's reason) instead of answering null. */
  async requireToolToken(token: unknown, tool: string, permission: string): Promise<ToolTokenClaims> {
    try {
      return await this.check(token, tool, permission);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      const sub = err.claims?.sub;
      const agentId = typeof sub === "string" ? sub : null;
      this.report(err, agentId, tool, permission);
      throw new ToolTokenRefused(err.reason, err.detail, agentId);
    }
  }

  /** How many times the JWKS was asked for. */
  get jwksFetches(): number {
    return this.fetches;
  }

  get revokedCount(): number {
    return this.revoked.size;
  }

  /** Adds revoked tokens (`{jti, exp}` each, as the console lists them); returns how many were new. */
  revoke(entries: readonly unknown[]): number {
    const nowS = this.now() / 1000;
    let added = 0;
    for (const entry of entries) {
      if (!isObject(entry) || typeof entry.jti !== "string" || !entry.jti) continue;
      const until = isNumber(entry.exp) ? entry.exp : nowS + MAX_TOKEN_TTL_S;
      const known = this.revoked.get(entry.jti);
      if (known === undefined) added++;
      this.revoked.set(entry.jti, Math.max(until, known ?? until));
    }
    this.prune(nowS);
    return added;
  }

  /** Reads the revocation list now; throws when it cannot be had. */
  async refreshRevocations(): Promise<void> {
    if (!this.revocationsUrl) throw new ConfigError("refreshRevocations needs revocationsUrl");
    const body = await fetchJson(this.revocationsUrl, this.timeoutMs);
    if (!isObject(body) || !Array.isArray(body.revoked)) throw new Error(`${this.revocationsUrl} did not answer {"revoked": [...]}`);
    this.revoke(body.revoked);
    this.revocationsAtMs = performance.now();
  }

  /** Resolves true once the live stream has delivered the revocation list (followRevocations), false after timeoutMs. */
  async waitForRevocations(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!this.streamOpen && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.streamOpen;
  }

  /** Stops following the revocation stream. */
  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.request?.destroy();
    this.request = null;
    this.streamOpen = false;
  }

  private async check(token: unknown, tool: string, permission: string): Promise<ToolTokenClaims> {
    if (typeof token !== "string") throw invalid("the token is not a string");
    if (token.length > MAX_TOOL_TOKEN_CHARS) throw invalid(`the token is longer than ${MAX_TOOL_TOKEN_CHARS} characters`);
    const parts = token.split(".");
    const [head, body, sig] = parts;
    if (parts.length !== 3 || !head || !body || !sig) throw invalid("a token is three non-empty base64url parts separated by dots");
    const header = parseObject(decodeBase64url(head, "header"), "header");
    const payloadRaw = decodeBase64url(body, "payload");
    const signature = decodeBase64url(sig, "signature");
    const signed = Buffer.from(`${head}.${body}`, "ascii");
    if ("crit" in header) throw invalid("the header names critical extensions this verifier does not know");
    if ((header.typ ?? "JWT") !== "JWT" && header.typ !== "jwt") throw invalid(`header typ ${short(header.typ)} is not JWT`);
    const alg = header.alg;
    if (alg === "EdDSA") {
      if (typeof header.kid !== "string" || !header.kid) throw invalid("an EdDSA token must name its key (kid)");
      if (!this.keys && !this.jwksUrl) throw invalid("EdDSA tokens are not accepted here: the verifier has no public keys");
      const key = await this.key(header.kid);
      if (!key) throw invalid(`unknown key id ${short(header.kid)}`);
      if (signature.length !== 64 || !verifySignature(null, signed, key, signature)) throw invalid("bad signature");
    } else if (alg === "HS256") {
      if (!this.secret) throw invalid("HS256 tokens are not accepted here: the verifier has no shared secret");
      const expected = createHmac("sha256", this.secret).update(signed).digest();
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw invalid("bad signature");
    } else {
      throw invalid(`alg ${short(alg)} is not accepted (EdDSA, or HS256 with a shared secret)`);
    }
    const claims = parseObject(payloadRaw, "payload");
    try {
      await this.checkClaims(claims, alg === "EdDSA", tool, permission);
    } catch (err) {
      if (err instanceof Refusal) err.claims = claims;
      throw err;
    }
    return claims as ToolTokenClaims;
  }

  private async checkClaims(claims: Record<string, unknown>, ours: boolean, tool: string, permission: string): Promise<void> {
    const nowS = this.now() / 1000;
    const { sub, exp, iat, nbf, jti } = claims;
    if (typeof sub !== "string") throw invalid("claim sub (the agent id) must be a string");
    if (!isNumber(exp)) throw invalid("claim exp must be epoch seconds");
    if (iat !== undefined && !isNumber(iat)) throw invalid("claim iat must be epoch seconds");
    if (ours && iat === undefined) throw invalid("claim iat is missing");
    if (exp <= nowS - this.leeway) throw new Refusal("agent_token_expired", `the token expired ${Math.round(nowS - exp)} s ago`);
    if (isNumber(iat) && iat > nowS + this.leeway) throw invalid("claim iat is in the future");
    if (nbf !== undefined && (!isNumber(nbf) || nbf > nowS + this.leeway)) throw invalid("the token is not valid yet (nbf)");
    // The guide's own AgentTokenManager signs HS256 tokens without iss and aud: only they may lack them.
    if ((ours || "iss" in claims) && claims.iss !== TOOL_TOKEN_ISSUER) throw invalid(`issuer ${short(claims.iss)} is not "${TOOL_TOKEN_ISSUER}"`);
    if (ours || "aud" in claims) {
      const aud = claims.aud;
      if (!(aud === TOOL_TOKEN_AUDIENCE || (Array.isArray(aud) && aud.includes(TOOL_TOKEN_AUDIENCE))))
        throw invalid(`audience ${short(aud)} is not "${TOOL_TOKEN_AUDIENCE}"`);
    }
    if (jti !== undefined && typeof jti !== "string") throw invalid("claim jti must be a string");
    if (ours && !jti) throw invalid("claim jti is missing");
    // An array of strings, never one string: `tools.includes` on "customer_lookup" would let "lookup" through.
    const tools = claims.tools ?? [];
    const permissions = claims.permissions ?? [];
    if (!isStringArray(tools)) throw invalid("claim tools must be an array of strings");
    if (!isStringArray(permissions)) throw invalid("claim permissions must be an array of strings");
    const perTool = claims.tool_permissions;
    if (perTool !== undefined && !(isObject(perTool) && Object.values(perTool).every(isStringArray)))
      throw invalid("claim tool_permissions must map tool names to arrays of strings");
    if (await this.isRevoked(typeof jti === "string" ? jti : null)) throw new Refusal("agent_token_revoked", "the token was revoked (its agent was killed)");
    if (!tools.includes(tool)) throw new Refusal("agent_tool_unauthorized", `the token does not grant tool ${short(tool)}`);
    if (!permissions.includes(permission)) throw new Refusal("agent_permission_denied", `the token does not grant permission ${short(permission)}`);
    if (perTool !== undefined) {
      const granted = Object.hasOwn(perTool, tool) ? (perTool[tool] as string[]) : [];
      if (!granted.includes(permission))
        throw new Refusal("agent_permission_denied", `the token does not grant permission ${short(permission)} on tool ${short(tool)}`);
    }
  }

  // ---- public keys ----

  private async key(kid: string): Promise<KeyObject | null> {
    if (!this.jwksUrl) return this.keys?.get(kid) ?? null;
    const now = performance.now();
    const stale = this.keysAtMs === null || now - this.keysAtMs > JWKS_MAX_AGE_MS;
    const unknown = !this.keys?.has(kid);
    const mayRefetch = this.jwksTriedAtMs === null || now - this.jwksTriedAtMs >= this.jwksRefetchIntervalMs;
    if (this.jwksInFlight) await this.jwksInFlight;
    else if (stale || (unknown && mayRefetch)) {
      this.jwksInFlight = this.refreshKeys().finally(() => {
        this.jwksInFlight = null;
      });
      await this.jwksInFlight;
    }
    return this.keys?.get(kid) ?? null;
  }

  private async refreshKeys(): Promise<void> {
    if (!this.jwksUrl) return;
    this.jwksTriedAtMs = performance.now();
    this.fetches++;
    try {
      this.keys = publicKeysOf(await fetchJson(this.jwksUrl, this.timeoutMs));
      this.keysAtMs = performance.now();
    } catch (err) {
      logTo(this.logger, "warn", `could not fetch the tool-token public keys: ${describeFailure(err)}`, { jwks_url: this.jwksUrl });
    }
  }

  // ---- revocations ----

  private prune(nowS: number): void {
    // Past its exp (and the leeway) a token is refused as expired anyway.
    for (const [jti, exp] of this.revoked) if (exp < nowS - this.leeway) this.revoked.delete(jti);
  }

  private revocationsFresh(): boolean {
    const now = performance.now();
    if (this.streamOpen && this.streamHeardMs !== null && now - this.streamHeardMs <= STREAM_LIVENESS_MS) return true;
    return this.revocationsAtMs !== null && now - this.revocationsAtMs <= this.revocationsMaxAgeMs;
  }

  private async isRevoked(jti: string | null): Promise<boolean> {
    if (this.revocationsUrl && !this.revocationsFresh()) {
      try {
        await this.refreshRevocations();
      } catch (err) {
        if (this.fail === "closed") throw invalid(`the revocation list cannot be read, so no token is trusted (fail closed): ${describeFailure(err)}`);
        logTo(this.logger, "warn", `tool-token revocation list unavailable (${describeFailure(err)}); fail "open": using the last one known`);
      }
    }
    if (jti === null) return false;
    this.prune(this.now() / 1000);
    return this.revoked.has(jti);
  }

  /**
   * Follows revocationsUrl + "/stream" (server-sent events: `revocations` with the whole list, then
   * `revoked` for each new one). node:http rather than fetch, so that its socket can be unref'd: an
   * open stream must never keep the process alive.
   */
  private follow(): void {
    if (this.stopped || !this.revocationsUrl) return;
    const url = new URL(`${this.revocationsUrl.replace(/\/+$/, "")}/stream`);
    const transport = url.protocol === "https:" ? https : http;
    let finished = false;
    const finish = (reason: string) => {
      if (finished) return;
      finished = true;
      this.streamOpen = false;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      request.destroy();
      if (this.request === request) this.request = null;
      if (this.stopped) return;
      logTo(this.logger, "debug", `tool-token revocation stream: ${reason}`);
      this.retryTimer = setTimeout(() => this.follow(), backoffDelay(this.attempt++, { baseMs: 250, maxMs: 5000 }));
      this.retryTimer.unref();
    };
    const armIdle = () => {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => finish(`silent for ${STREAM_LIVENESS_MS / 1000} s`), STREAM_LIVENESS_MS);
      this.idleTimer.unref();
    };
    const request = transport.request(url, { method: "GET", agent: false, headers: { accept: "text/event-stream", "user-agent": USER_AGENT } });
    this.request = request;
    request.on("socket", (socket) => socket.unref());
    armIdle();
    request.on("error", (err) => finish(err.message));
    request.on("response", (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        finish(`answered ${res.statusCode}`);
        return;
      }
      res.setEncoding("utf8");
      const parser = new SseParser();
      res.on("data", (chunk: string) => {
        armIdle();
        if (this.streamOpen) this.streamHeardMs = performance.now();
        let events: ReturnType<SseParser["push"]>;
        try {
          events = parser.push(chunk);
        } catch (err) {
          finish(describeFailure(err));
          return;
        }
        for (const event of events) {
          if (event.event !== "revocations" && event.event !== "revoked") continue;
          let body: unknown;
          try {
            body = JSON.parse(event.data);
          } catch {
            logTo(this.logger, "warn", "unreadable tool-token revocation event", { data: event.data.slice(0, 100) });
            continue;
          }
          if (!isObject(body) || !Array.isArray(body.revoked)) continue;
          const added = this.revoke(body.revoked);
          if (added) logTo(this.logger, "info", `${added} tool token(s) revoked`);
          if (event.event === "revocations") {
            // The whole list: from here on the stream keeps it current.
            this.attempt = 0;
            this.streamOpen = true;
            this.streamHeardMs = performance.now();
            this.revocationsAtMs = performance.now();
          }
        }
      });
      res.on("end", () => finish("closed by the console"));
      res.on("error", (err) => finish(err.message));
    });
    request.end();
  }

  // ---- reporting ----

  private report(refusal: Refusal, agentId: string | null, tool: string, permission: string): void {
    logTo(this.logger, "info", `tool token refused: ${refusal.reason}: ${refusal.detail}`);
    if (!this.client) return;
    const metadata: Record<string, unknown> = { tool, permission };
    if (agentId !== null) metadata.agent_id = agentId;
    const claims = refusal.claims;
    if (refusal.reason === "agent_tool_unauthorized" && Array.isArray(claims?.tools)) metadata.allowed_tools = claims.tools;
    if (typeof claims?.jti === "string") metadata.jti = claims.jti;
    try {
      this.session ??= this.client.session();
      this.session.log("security", refusal.reason, {
        inputSummary: `tool token refused for ${tool} (${permission}): ${refusal.detail}`,
        securityFlags: [refusal.reason],
        metadata,
      });
    } catch (err) {
      logTo(this.logger, "warn", `could not report a refused tool token: ${describeFailure(err)}`);
    }
  }
}

/**
 * One check: the claims, or null. Give a verifier you keep (it caches the keys and follows the
 * revocations), or its options for a one-off check.
 */
export async function verifyToolToken(
  token: unknown,
  tool: string,
  permission: string,
  options: ToolTokenVerifier | ToolTokenVerifierOptions,
): Promise<ToolTokenClaims | null> {
  if (options instanceof ToolTokenVerifier) return options.verifyToolToken(token, tool, permission);
  const once = new ToolTokenVerifier({ ...options, followRevocations: false });
  try {
    return await once.verifyToolToken(token, tool, permission);
  } finally {
    once.close();
  }
}
