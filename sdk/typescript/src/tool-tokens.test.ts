import { createHash, createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ToolTokenRefused } from "./errors.js";
import { Session, type SessionHost } from "./session.js";
import { jwkThumbprint, MAX_TOOL_TOKEN_CHARS, ToolTokenVerifier, type ToolTokenVerifierOptions, verifyToolToken } from "./tool-tokens.js";

const b64url = (raw: Buffer | string) => Buffer.from(raw).toString("base64url");
const b64json = (value: unknown) => b64url(JSON.stringify(value));

class SigningKey {
  readonly privateKey: KeyObject;
  readonly x: string;
  readonly kid: string;
  constructor() {
    const pair = generateKeyPairSync("ed25519");
    this.privateKey = pair.privateKey;
    this.x = String(pair.publicKey.export({ format: "jwk" }).x);
    this.kid = jwkThumbprint(this.x);
  }
  get jwk() {
    return { kty: "OKP", crv: "Ed25519", x: this.x, kid: this.kid, alg: "EdDSA", use: "sig" };
  }
}

const nowS = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowS();
  const all: Record<string, unknown> = {
    iss: "agentsoc",
    aud: "agentsoc-tools",
    sub: "support-agent-v1",
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    tools: ["customer_lookup", "ticket_management"],
    permissions: ["read", "write_ticket"],
    tool_permissions: { customer_lookup: ["read"], ticket_management: ["read", "write_ticket"] },
    nonce: "0123456789abcdef",
    ...overrides,
  };
  for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
  return all;
}

function eddsa(key: SigningKey, payload: unknown, header: Record<string, unknown> = {}): string {
  const head = b64json({ alg: "EdDSA", typ: "JWT", kid: key.kid, ...header });
  const body = typeof payload === "string" ? payload : b64json(payload);
  return `${head}.${body}.${b64url(sign(null, Buffer.from(`${head}.${body}`), key.privateKey))}`;
}

function hs256(secret: string, payload: unknown): string {
  const head = b64json({ alg: "HS256", typ: "JWT" });
  const body = typeof payload === "string" ? payload : b64json(payload);
  return `${head}.${body}.${createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url")}`;
}

/** The console's counterpart of a tool, served locally: the JWKS, the revocation list and its SSE stream. */
class Issuer {
  keys = [new SigningKey()];
  revoked: { jti: string; exp: number }[] = [];
  hits = new Map<string, number>();
  private streams = new Set<http.ServerResponse>();
  private server = http.createServer((req, res) => this.handle(req, res));
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get jwksUrl() {
    return `${this.url}/.well-known/jwks.json`;
  }
  get revocationsUrl() {
    return `${this.url}/api/v1/tool-tokens/revocations`;
  }
  hit(path: string) {
    return this.hits.get(path) ?? 0;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = req.url ?? "";
    this.hits.set(path, this.hit(path) + 1);
    const answer = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (path === "/.well-known/jwks.json") answer({ keys: this.keys.map((k) => k.jwk) });
    else if (path === "/api/v1/tool-tokens/revocations") answer({ revoked: this.revoked, as_of: new Date().toISOString() });
    else if (path === "/api/v1/tool-tokens/revocations/stream") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`: hello\n\nevent: revocations\ndata: ${JSON.stringify({ revoked: this.revoked, as_of: new Date().toISOString() })}\n\n`);
      this.streams.add(res);
      res.on("close", () => this.streams.delete(res));
    } else {
      res.writeHead(404);
      res.end();
    }
  }

  pushRevoked(entries: { jti: string; exp: number }[]) {
    this.revoked.push(...entries);
    for (const res of this.streams) res.write(`event: revoked\ndata: ${JSON.stringify({ revoked: entries })}\n\n`);
  }

  endStreams() {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  async stop() {
    this.endStreams();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function refused(verifier: ToolTokenVerifier, token: unknown, tool = "customer_lookup", permission = "read"): Promise<string> {
  try {
    await verifier.requireToolToken(token, tool, permission);
  } catch (err) {
    expect(err).toBeInstanceOf(ToolTokenRefused);
    expect(await verifier.verifyToolToken(token, tool, permission)).toBeNull();
    return (err as ToolTokenRefused).reason;
  }
  return "accepted";
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let issuer: Issuer;
const verifiers: ToolTokenVerifier[] = [];
const make = (options: ToolTokenVerifierOptions) => {
  const v = new ToolTokenVerifier({ logger: null, ...options });
  verifiers.push(v);
  return v;
};

beforeEach(async () => {
  issuer = new Issuer();
  await issuer.start();
});

afterEach(async () => {
  for (const v of verifiers.splice(0)) v.close();
  await issuer.stop();
});

describe("ToolTokenVerifier", () => {
  it("gives a good EdDSA token's claims, fetching the keys once", async () => {
    const verifier = make({ jwksUrl: issuer.jwksUrl });
    const issued = claims();
    const token = eddsa(issuer.keys[0] as SigningKey, issued);
    expect(await verifier.verifyToolToken(token, "customer_lookup", "read")).toEqual(issued);
    expect(await verifier.requireToolToken(token, "ticket_management", "write_ticket")).toEqual(issued);
    expect(await verifyToolToken(token, "customer_lookup", "read", { keys: { keys: [(issuer.keys[0] as SigningKey).jwk] } })).toEqual(issued);
    expect(await verifyToolToken(token, "customer_lookup", "read", verifier)).toEqual(issued);
    expect(issuer.hit("/.well-known/jwks.json")).toBe(1);
  });

  it("names every refusal of the spec with the guide's reason", async () => {
    const key = issuer.keys[0] as SigningKey;
    const verifier = make({ jwksUrl: issuer.jwksUrl });
    const good = eddsa(key, claims());
    const [head, body, sig] = good.split(".") as [string, string, string];
    const now = nowS();
    const cases: Record<string, [unknown, string]> = {
      "alg none": [`${b64json({ alg: "none", typ: "JWT" })}.${body}.${sig}`, "agent_token_invalid"],
      "alg none, empty signature": [`${b64json({ alg: "none", typ: "JWT" })}.${body}.`, "agent_token_invalid"],
      RS256: [`${b64json({ alg: "RS256", typ: "JWT", kid: key.kid })}.${body}.${sig}`, "agent_token_invalid"],
      "HS256 without a shared secret": [hs256("s3cret", claims()), "agent_token_invalid"],
      "HS256 signed with the public key as secret": [hs256(key.x, claims()), "agent_token_invalid"],
      "unknown kid": [eddsa(new SigningKey(), claims()), "agent_token_invalid"],
      "no kid": [`${b64json({ alg: "EdDSA", typ: "JWT" })}.${body}.${sig}`, "agent_token_invalid"],
      "two parts": [`${head}.${body}`, "agent_token_invalid"],
      "four parts": [`${good}.${sig}`, "agent_token_invalid"],
      "padding in base64url": [`${head}.${body}==.${sig}`, "agent_token_invalid"],
      "standard base64 alphabet": [`${head}.${body}.${sig.replaceAll("-", "+").replaceAll("_", "/")}+`, "agent_token_invalid"],
      "non-canonical base64url": [`${head}.${body}.${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`, "agent_token_invalid"],
      "non-ASCII": [`${head}.${body}é.${sig}`, "agent_token_invalid"],
      "payload is an array": [eddsa(key, b64url('["customer_lookup"]')), "agent_token_invalid"],
      "payload is not JSON": [eddsa(key, b64url("{'sub': 1}")), "agent_token_invalid"],
      "payload is not UTF-8": [eddsa(key, b64url(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))), "agent_token_invalid"],
      "duplicate claim": [eddsa(key, b64url(JSON.stringify(claims()).replace('"tools":', '"tools":["admin_panel"],"tools":'))), "agent_token_invalid"],
      "header is a string": [`${b64json("EdDSA")}.${body}.${sig}`, "agent_token_invalid"],
      oversized: [eddsa(key, claims({ padding: "x".repeat(MAX_TOOL_TOKEN_CHARS) })), "agent_token_invalid"],
      "not a string": [12345, "agent_token_invalid"],
      "tampered payload": [`${head}.${b64json(claims({ tools: ["customer_lookup", "refund_issue"] }))}.${sig}`, "agent_token_invalid"],
      "signature of another key": [`${head}.${body}.${eddsa(new SigningKey(), claims()).split(".")[2]}`, "agent_token_invalid"],
      expired: [eddsa(key, claims({ iat: now - 400, exp: now - 100 })), "agent_token_expired"],
      "issued in the future": [eddsa(key, claims({ iat: now + 120, exp: now + 400 })), "agent_token_invalid"],
      "another issuer": [eddsa(key, claims({ iss: "someone-else" })), "agent_token_invalid"],
      "another audience": [eddsa(key, claims({ aud: ["billing"] })), "agent_token_invalid"],
      "no issuer (EdDSA)": [eddsa(key, claims({ iss: undefined })), "agent_token_invalid"],
      "no audience (EdDSA)": [eddsa(key, claims({ aud: undefined })), "agent_token_invalid"],
      "exp as text": [eddsa(key, claims({ exp: String(now + 300) })), "agent_token_invalid"],
      "tools as one string": [eddsa(key, claims({ tools: "customer_lookup_and_more", tool_permissions: undefined })), "agent_token_invalid"],
      "another tool": [eddsa(key, claims({ tools: ["ticket_management"] })), "agent_tool_unauthorized"],
      "another permission": [eddsa(key, claims({ permissions: ["write_ticket"] })), "agent_permission_denied"],
    };
    const reasons: Record<string, string> = {};
    for (const [name, [token]] of Object.entries(cases)) reasons[name] = await refused(verifier, token);
    expect(reasons).toEqual(Object.fromEntries(Object.entries(cases).map(([name, [, reason]]) => [name, reason])));
    expect(await refused(verifier, good)).toBe("accepted");
    expect(await refused(verifier, eddsa(key, claims({ aud: ["billing", "agentsoc-tools"] })))).toBe("accepted");
    expect(await refused(verifier, eddsa(key, claims({ exp: now + 2 })))).toBe("accepted");
  });

  it("checks tool_permissions per tool, where the flat lists alone would allow more", async () => {
    const key = issuer.keys[0] as SigningKey;
    const verifier = make({ keys: [key.jwk] });
    const token = eddsa(key, claims());
    expect(await refused(verifier, token, "customer_lookup", "write_ticket")).toBe("agent_permission_denied");
    expect(await refused(verifier, token, "ticket_management", "write_ticket")).toBe("accepted");
    expect(await refused(verifier, token, "customer_lookup", "read")).toBe("accepted");
    expect(await refused(verifier, eddsa(key, claims({ tool_permissions: undefined })), "customer_lookup", "write_ticket")).toBe("accepted");
    expect(await refused(verifier, eddsa(key, claims({ tool_permissions: { customer_lookup: "read" } })))).toBe("agent_token_invalid");
    const inherited = eddsa(key, claims({ tools: ["constructor"], permissions: ["read"], tool_permissions: {} }));
    expect(await refused(verifier, inherited, "constructor", "read")).toBe("agent_permission_denied");
  });

  it("verifies a token of the previous key after rotation, and refetches the JWKS for an unknown kid at most once per interval", async () => {
    const old = issuer.keys[0] as SigningKey;
    const current = new SigningKey();
    const newest = new SigningKey();
    issuer.keys = [current, old];
    const strict = make({ jwksUrl: issuer.jwksUrl });
    expect(await refused(strict, eddsa(old, claims()))).toBe("accepted");
    expect(await refused(strict, eddsa(current, claims()))).toBe("accepted");
    issuer.keys = [newest, current];
    expect(await refused(strict, eddsa(newest, claims()))).toBe("agent_token_invalid");
    expect(strict.jwksFetches).toBe(1);

    issuer.keys = [current, old];
    const verifier = make({ jwksUrl: issuer.jwksUrl, jwksRefetchIntervalMs: 500 });
    expect(await refused(verifier, eddsa(old, claims()))).toBe("accepted");
    await new Promise((r) => setTimeout(r, 600));
    issuer.keys = [newest, current];
    expect(await refused(verifier, eddsa(newest, claims()))).toBe("accepted");
    expect(verifier.jwksFetches).toBe(2);
    const stranger = new SigningKey();
    const attempts = await Promise.all(Array.from({ length: 5 }, () => refused(verifier, eddsa(stranger, claims()))));
    expect(attempts).toEqual(Array(5).fill("agent_token_invalid"));
    expect(verifier.jwksFetches).toBe(2);
    expect(await refused(verifier, eddsa(old, claims()))).toBe("agent_token_invalid");
    expect(issuer.hit("/.well-known/jwks.json")).toBe(3);
  });

  it("accepts HS256 tokens in the guide's exact shape (no iss, aud or jti) with the shared secret", async () => {
    const secret = "your-signing-key";
    const verifier = make({ hs256Secret: secret });
    const now = nowS();
    const guide = {
      sub: "support-agent-v1",
      iat: now,
      exp: now + 300,
      tools: ["customer_lookup", "ticket_management"],
      permissions: ["read", "write_ticket"],
      nonce: createHash("sha256").update(`support-agent-v1:${now}`).digest("hex").slice(0, 8),
    };
    const token = hs256(secret, guide);
    expect(await verifier.verifyToolToken(token, "customer_lookup", "read")).toEqual(guide);
    expect(await refused(verifier, token, "refund_issue", "read")).toBe("agent_tool_unauthorized");
    expect(await refused(verifier, token, "customer_lookup", "delete")).toBe("agent_permission_denied");
    expect(await refused(verifier, hs256("another-key", guide))).toBe("agent_token_invalid");
    expect(await refused(verifier, hs256(secret, { ...guide, iss: "someone-else" }))).toBe("agent_token_invalid");
    expect(await refused(verifier, hs256(secret, { ...guide, exp: now - 60 }))).toBe("agent_token_expired");
    expect(await refused(verifier, hs256(secret, claims()))).toBe("accepted");
    const [head, , sig] = token.split(".");
    expect(await refused(verifier, `${head}.${b64json({ ...guide, permissions: ["read", "admin"] })}.${sig}`)).toBe("agent_token_invalid");
    expect(await refused(verifier, eddsa(new SigningKey(), claims()))).toBe("agent_token_invalid");
  });

  it("refuses a token named in the revocation list, and reads the list again once it is old", async () => {
    const key = issuer.keys[0] as SigningKey;
    const [first, second, third] = [claims(), claims(), claims()];
    const entry = (c: Record<string, unknown>) => ({ jti: c.jti as string, exp: c.exp as number });
    issuer.revoked = [entry(first)];
    const verifier = make({ jwksUrl: issuer.jwksUrl, revocationsUrl: issuer.revocationsUrl, revocationsMaxAgeMs: 200 });
    expect(await refused(verifier, eddsa(key, first))).toBe("agent_token_revoked");
    expect(await refused(verifier, eddsa(key, second))).toBe("accepted");
    issuer.revoked.push(entry(second));
    expect(await refused(verifier, eddsa(key, second))).toBe("accepted");
    await new Promise((r) => setTimeout(r, 300));
    expect(await refused(verifier, eddsa(key, second))).toBe("agent_token_revoked");
    expect(await refused(verifier, eddsa(key, third))).toBe("accepted");
    const expired = claims({ iat: nowS() - 300, exp: nowS() - 30 });
    issuer.revoked.push(entry(expired));
    expect(await refused(verifier, eddsa(key, expired))).toBe("agent_token_expired");
  });

  it("refuses at once a revocation pushed on the live stream, and follows the stream again after it ends", async () => {
    const key = issuer.keys[0] as SigningKey;
    const [one, two, three] = [claims(), claims(), claims()];
    const entry = (c: Record<string, unknown>) => ({ jti: c.jti as string, exp: c.exp as number });
    issuer.revoked = [entry(one)];
    const verifier = make({ jwksUrl: issuer.jwksUrl, revocationsUrl: issuer.revocationsUrl, followRevocations: true, revocationsMaxAgeMs: 3_600_000 });
    expect(await verifier.waitForRevocations(5000)).toBe(true);
    expect(await refused(verifier, eddsa(key, one))).toBe("agent_token_revoked");
    expect(await refused(verifier, eddsa(key, two))).toBe("accepted");
    const started = Date.now();
    issuer.pushRevoked([entry(two)]);
    await waitFor(async () => (await refused(verifier, eddsa(key, two))) === "agent_token_revoked", 2000, "the pushed revocation");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(issuer.hit("/api/v1/tool-tokens/revocations")).toBe(0);

    issuer.endStreams();
    issuer.revoked.push(entry(three));
    await waitFor(() => issuer.hit("/api/v1/tool-tokens/revocations/stream") >= 2, 5000, "the stream followed again");
    await waitFor(async () => (await refused(verifier, eddsa(key, three))) === "agent_token_revoked", 5000, "the revocation from the new stream");
  });

  it("fromConsole finds the keys and follows the revocations at the console's paths", async () => {
    const issued = claims();
    issuer.revoked = [{ jti: issued.jti as string, exp: issued.exp as number }];
    const verifier = ToolTokenVerifier.fromConsole(`${issuer.url}/`, { logger: null });
    verifiers.push(verifier);
    expect(await verifier.waitForRevocations(5000)).toBe(true);
    expect(await refused(verifier, eddsa(issuer.keys[0] as SigningKey, issued))).toBe("agent_token_revoked");
    expect(await refused(verifier, eddsa(issuer.keys[0] as SigningKey, claims()))).toBe("accepted");
    expect([issuer.hit("/.well-known/jwks.json"), issuer.hit("/api/v1/tool-tokens/revocations/stream")]).toEqual([1, 1]);
  });

  it("forgets revoked entries once their tokens expired; a list given by hand counts", async () => {
    const verifier = make({ hs256Secret: "k" });
    const now = nowS();
    expect(verifier.revoke([{ jti: "a", exp: now + 60 }, { jti: "b", exp: now - 60 }, { jti: 5 }, "junk"])).toBe(2);
    expect(verifier.revokedCount).toBe(1);
    expect(await refused(verifier, hs256("k", claims({ jti: "a" })))).toBe("agent_token_revoked");
  });

  it("without a revocation list refuses every token (fail closed), or goes on with fail open", async () => {
    const token = eddsa(issuer.keys[0] as SigningKey, claims());
    const closedServer = http.createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, "127.0.0.1", resolve));
    const port = (closedServer.address() as AddressInfo).port;
    await new Promise((resolve) => closedServer.close(resolve));
    const nowhere = `http://127.0.0.1:${port}/api/v1/tool-tokens/revocations`;
    const closed = make({ jwksUrl: issuer.jwksUrl, revocationsUrl: nowhere, timeoutMs: 1000 });
    const err = await closed.requireToolToken(token, "customer_lookup", "read").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolTokenRefused);
    expect((err as ToolTokenRefused).reason).toBe("agent_token_invalid");
    expect((err as ToolTokenRefused).detail).toContain("revocation list");
    const open = make({ jwksUrl: issuer.jwksUrl, revocationsUrl: nowhere, timeoutMs: 1000, fail: "open" });
    expect(await open.verifyToolToken(token, "customer_lookup", "read")).not.toBeNull();
  });

  it("reports refusals as security events through the client's session, never with the token", async () => {
    const lines: Record<string, unknown>[] = [];
    let sessions = 0;
    const host: SessionHost = {
      agentId: "billing-tool",
      summaryChars: 200,
      check: () => {},
      enqueue: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
      findInOutput: () => null,
      warn: () => {},
    };
    const client = {
      session: () => {
        sessions++;
        return new Session(host, "sess_tools");
      },
    };
    const key = issuer.keys[0] as SigningKey;
    const verifier = make({ keys: [key.jwk], client });
    const issued = claims();
    const token = eddsa(key, issued);
    expect(await verifier.verifyToolToken(token, "refund_issue", "write")).toBeNull();
    expect(await verifier.verifyToolToken(`${token.slice(0, -4)}AAAA`, "customer_lookup", "read")).toBeNull();
    expect(await verifier.verifyToolToken(token, "customer_lookup", "read")).toEqual(issued);
    expect(lines.map((l) => [l.action_type, l.action_name, l.security_flags])).toEqual([
      ["security", "agent_tool_unauthorized", ["agent_tool_unauthorized"]],
      ["security", "agent_token_invalid", ["agent_token_invalid"]],
    ]);
    expect(lines[0]).toMatchObject({ agent_id: "billing-tool", session_id: "sess_tools" });
    expect(lines[0]?.metadata).toEqual({
      agent_id: "support-agent-v1",
      tool: "refund_issue",
      permission: "write",
      allowed_tools: ["customer_lookup", "ticket_management"],
      jti: issued.jti,
    });
    expect(lines[1]?.metadata).toEqual({ tool: "customer_lookup", permission: "read" });
    const text = JSON.stringify(lines);
    for (const part of token.split(".")) expect(text).not.toContain(part);
    expect(sessions).toBe(1);
  });
});
