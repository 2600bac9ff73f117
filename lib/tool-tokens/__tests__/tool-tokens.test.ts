import { createHmac, createPublicKey, verify } from "node:crypto";
import { sql } from "drizzle-orm";
import type Redis from "ioredis";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as jwksRoute } from "@/app/.well-known/jwks.json/route";
import { POST as issueRoute, GET as listRoute } from "@/app/api/v1/agents/[agentId]/tool-tokens/route";
import { GET as revocationsRoute } from "@/app/api/v1/tool-tokens/revocations/route";
import { GET as revocationStream } from "@/app/api/v1/tool-tokens/revocations/stream/route";
import { appDb } from "@/db/client";
import { listAudit } from "@/db/queries/audit";
import { agentToolTokens } from "@/db/queries/tool-tokens";
import { revokeIngestKey } from "@/lib/agents";
import { findAgentByIngestKey } from "@/lib/ingest";
import { killAgent, killAll, liftAll, reconcileKillSwitches, reviveAgent } from "@/lib/killswitch";
import { setPolicy } from "@/lib/policy";
import { forgetSigningKeys, issueToolToken, rotateSigningKey, sweepKilledAgentsTokens } from "@/lib/tool-tokens";
import { MAX_LIVE_TOKENS_PER_AGENT } from "@/lib/tool-tokens/issue-token";
import { bearer, newAgent, readyAppRedis, userCtx } from "@/scripts/testing/fixtures";
import { SUPPORT_AGENT_POLICY } from "@/scripts/testing/guide-policy";
import { ToolTokenVerifier } from "@/sdk/typescript/src/tool-tokens";

let redis: Redis;
beforeAll(async () => {
  redis = await readyAppRedis();
});
afterEach(() => forgetSigningKeys());

// biome-ignore lint/suspicious/noExplicitAny: the test reads whichever answer a route gave, success or error
type Answer = Record<string, any>;

interface Jwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
}

async function agentWithPolicy() {
  const agent = await newAgent({ prefix: "tokens" });
  await setPolicy({ ctx: userCtx("admin"), input: { agentId: agent.agentId, policy: { ...SUPPORT_AGENT_POLICY, agent_id: agent.agentId } } });
  return agent;
}

async function ask(agent: { agentId: string; key: string }, body: unknown) {
  const res = await issueRoute(
    new Request(`http://soc.test/api/v1/agents/${agent.agentId}/tool-tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${agent.key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ agentId: agent.agentId }) },
  );
  return { status: res.status, body: (await res.json()) as Answer };
}

async function jwks(): Promise<Jwk[]> {
  const res = await jwksRoute(new Request("http://soc.test/.well-known/jwks.json"));
  expect(res.status).toBe(200);
  return ((await res.json()) as { keys: Jwk[] }).keys;
}

function decode(token: string) {
  const [header, payload, signature] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header ?? "", "base64url").toString()),
    claims: JSON.parse(Buffer.from(payload ?? "", "base64url").toString()),
    input: `${header}.${payload}`,
    signature: Buffer.from(signature ?? "", "base64url"),
  };
}

/** What a tool does offline: find the key by kid in the JWKS and check the Ed25519 signature. */
async function verifiesOffline(token: string): Promise<boolean> {
  const { header, input, signature } = decode(token);
  const jwk = (await jwks()).find((k) => k.kid === header.kid);
  if (!jwk || header.alg !== "EdDSA") return false;
  return verify(null, Buffer.from(input), createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" }), signature);
}

async function revokedIds(): Promise<string[]> {
  const res = await revocationsRoute(new Request("http://soc.test/api/v1/tool-tokens/revocations"));
  return ((await res.json()) as { revoked: { jti: string }[] }).revoked.map((r) => r.jti);
}

async function eventsNamed(agentId: string, actionName: string) {
  const rows = await appDb().execute<{ output_summary: string; session_id: string }>(
    sql`SELECT output_summary, session_id FROM events WHERE agent_id = ${agentId} AND action_name = ${actionName} ORDER BY ts`,
  );
  return rows.rows;
}

describe("tool tokens", () => {
  it("issues an Ed25519 JWT within the policy, with the guide's claims, verifiable offline by the JWKS, and records it", async () => {
    const agent = await agentWithPolicy();
    const issued = await ask(agent, { tools: ["customer_lookup", "ticket_management"], permissions: ["read", "write"], session_id: "sess-1" });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ alg: "EdDSA", tools: ["customer_lookup", "ticket_management"], policy_version: 1 });
    expect(issued.body.tool_permissions).toEqual({ customer_lookup: ["read"], ticket_management: ["read", "write"] });

    const { header, claims } = decode(issued.body.token);
    expect(header).toEqual({ alg: "EdDSA", typ: "JWT", kid: issued.body.kid });
    expect(claims).toMatchObject({ iss: "agentsoc", aud: "agentsoc-tools", sub: agent.agentId, jti: issued.body.jti, permissions: ["read", "write"] });
    expect(claims.exp - claims.iat).toBe(300);
    expect(claims.nonce).toMatch(/^[0-9a-f]{16}$/);
    expect(await verifiesOffline(issued.body.token)).toBe(true);
    // The TypeScript SDK's verifier, as a tool runs it, with the console's published keys.
    const sdkVerifier = new ToolTokenVerifier({ keys: { keys: await jwks() } });
    expect(await sdkVerifier.verifyToolToken(issued.body.token, "ticket_management", "write")).toMatchObject({ sub: agent.agentId });
    expect(await sdkVerifier.verifyToolToken(issued.body.token, "customer_lookup", "write")).toBeNull();
    // A changed claim no longer verifies.
    const [h, , s] = issued.body.token.split(".");
    const widened = Buffer.from(JSON.stringify({ ...claims, tools: ["*"] })).toString("base64url");
    expect(await verifiesOffline(`${h}.${widened}.${s}`)).toBe(false);

    const recorded = await eventsNamed(agent.agentId, "tool_token_issued");
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.session_id).toBe("sess-1");
    expect(recorded[0]?.output_summary).toContain(issued.body.jti);
    expect(recorded[0]?.output_summary).not.toContain(issued.body.token.split(".")[2]);

    const list = await listRoute(new Request(`http://soc.test/api/v1/agents/${agent.agentId}/tool-tokens`, { headers: await bearer("viewer") }), {
      params: Promise.resolve({ agentId: agent.agentId }),
    });
    const held = (await list.json()) as Answer;
    expect(held).toMatchObject({ agent_id: agent.agentId, live: 1, last_expires_at: issued.body.expires_at });
    expect(held.tokens[0]).toMatchObject({ jti: issued.body.jti, state: "live" });
    expect(JSON.stringify(held)).not.toContain(issued.body.token);
  });

  it("refuses what the policy does not allow, naming the field, and records each refusal", async () => {
    const agent = await agentWithPolicy();
    const outside = await ask(agent, { tools: ["shell_exec"], permissions: ["execute"] });
    expect(outside.status).toBe(403);
    expect(outside.body.error.errors[0]).toMatchObject({ path: "tools" });
    expect(outside.body.error.message).toContain('"shell_exec" is not in the agent\'s policy');

    const wider = await ask(agent, { tools: ["customer_lookup"], permissions: ["write"] });
    expect(wider.status).toBe(403);
    expect(wider.body.error.errors[0]).toMatchObject({ path: "permissions" });

    // ticket_management allows write, customer_lookup does not: write goes on ticket_management only.
    const mixed = await ask(agent, { tools: ["customer_lookup", "ticket_management"], permissions: ["write"] });
    expect(mixed.status).toBe(403);

    const unknown = await ask(agent, { tools: ["customer_lookup"], permissions: ["sudo"], ttl_seconds: 99_999 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.errors.map((e: { path: string }) => e.path).sort()).toEqual(["permissions.0", "ttl_seconds"]);

    const hostile = await ask(agent, { tools: ["a\u0000b"], permissions: ["read"] });
    expect(hostile.status).toBe(400);
    expect(hostile.body.error.errors[0].path).toBe("tools.0");

    expect((await eventsNamed(agent.agentId, "tool_token_refused")).map((e) => e.output_summary)).toHaveLength(3);

    const noPolicy = await newAgent({ prefix: "tokens" });
    const refused = await ask(noPolicy, { tools: ["customer_lookup"], permissions: ["read"] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("has no security policy");

    const other = await agentWithPolicy();
    const impersonation = await ask({ agentId: other.agentId, key: agent.key }, { tools: ["customer_lookup"], permissions: ["read"] });
    expect(impersonation.status).toBe(403);
    expect((await eventsNamed(other.agentId, "tool_token_issued")).length).toBe(0);
  });

  it("refuses HS256 unless the shared secret is configured, and then signs the guide's form with it", async () => {
    const agent = await agentWithPolicy();
    const refused = await ask(agent, { tools: ["order_lookup"], permissions: ["read"], alg: "HS256" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.errors[0].path).toBe("alg");

    const secret = "a-shared-secret-of-at-least-32-characters";
    const identity = await findAgentByIngestKey(appDb(), agent.key);
    if (!identity) throw new Error("the agent's key is not live");
    const issued = await issueToolToken({
      ctx: { db: appDb(), actor: { type: "agent", agentId: agent.agentId, keyId: identity.keyId }, requestId: "test", sourceIp: null },
      agentId: agent.agentId,
      input: { tools: ["order_lookup"], permissions: ["read"], alg: "HS256" },
      settings: { hs256Secret: secret, redis, perMinute: 600, stopped: async () => null },
    });
    const { header, claims, input, signature } = decode(issued.token);
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(claims).toMatchObject({ sub: agent.agentId, tools: ["order_lookup"], permissions: ["read"] });
    expect(signature.equals(createHmac("sha256", secret).update(input).digest())).toBe(true);
    expect(signature.equals(createHmac("sha256", `${secret}x`).update(input).digest())).toBe(false);
  });

  it("limits how many tokens one agent is issued a minute, and how many it may hold at once", async () => {
    const agent = await agentWithPolicy();
    const identity = await findAgentByIngestKey(appDb(), agent.key);
    if (!identity) throw new Error("the agent's key is not live");
    const issue = (perMinute: number) =>
      issueToolToken({
        ctx: { db: appDb(), actor: { type: "agent", agentId: agent.agentId, keyId: identity.keyId }, requestId: "test", sourceIp: null },
        agentId: agent.agentId,
        input: { tools: ["order_lookup"], permissions: ["read"] },
        settings: { hs256Secret: undefined, redis, perMinute, stopped: async () => null },
      });
    await issue(2);
    await issue(2);
    await expect(issue(2)).rejects.toMatchObject({ code: "RATE_LIMITED" });

    for (let i = 2; i < MAX_LIVE_TOKENS_PER_AGENT; i++) await issue(1_000_000);
    await expect(issue(1_000_000)).rejects.toMatchObject({ code: "RATE_LIMITED", details: { live_tokens: MAX_LIVE_TOKENS_PER_AGENT } });
    await killAgent({ ctx: userCtx("responder"), settings: { redis }, input: { agentId: agent.agentId, reason: "held too many" } });
    expect((await revokedIds()).length).toBeGreaterThanOrEqual(MAX_LIVE_TOKENS_PER_AGENT);
  });

  it("refuses a token to an agent stopped while it was being issued, and revokes the one recorded", async () => {
    const agent = await agentWithPolicy();
    const identity = await findAgentByIngestKey(appDb(), agent.key);
    if (!identity) throw new Error("the agent's key is not live");
    let checks = 0;
    // The kill lands between the check before and the check after the token's record.
    const refusal = issueToolToken({
      ctx: { db: appDb(), actor: { type: "agent", agentId: agent.agentId, keyId: identity.keyId }, requestId: "test", sourceIp: null },
      agentId: agent.agentId,
      input: { tools: ["order_lookup"], permissions: ["read"] },
      settings: { hs256Secret: undefined, redis, perMinute: 600, stopped: async () => (checks++ === 0 ? null : "Agent killed: mid-issue") },
    });
    await expect(refusal).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("is stopped") });
    const held = await agentToolTokens(appDb(), agent.agentId);
    expect(held.live).toBe(0);
    expect(held.tokens[0]?.state).toBe("revoked");
    expect(await revokedIds()).toContain(held.tokens[0]?.jti);
  });

  it("a kill recorded from Redis by the sync, and a revoked ingest key, revoke the tokens too", async () => {
    const agent = await agentWithPolicy();
    const first = await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] });
    await redis.hset(`agent:killswitch:${agent.agentId}`, { killed: "true", reason: "by hand", killed_by: "oncall", killed_at: String(Date.now() / 1000) });
    // A pass may first put Redis right (another test's kills); the next records the hand kill.
    let report = await reconcileKillSwitches(appDb(), redis);
    for (let pass = 0; pass < 3 && !report.handKills.includes(agent.agentId); pass++) report = await reconcileKillSwitches(appDb(), redis);
    expect(report.handKills, JSON.stringify(report)).toContain(agent.agentId);
    expect(await sweepKilledAgentsTokens(appDb())).toBeGreaterThanOrEqual(1);
    expect(await revokedIds()).toContain(first.body.jti);
    await reviveAgent({ ctx: userCtx("admin"), settings: { redis }, input: { agentId: agent.agentId, reason: "reviewed" } });

    const second = await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] });
    expect(second.status).toBe(201);
    const identity = await findAgentByIngestKey(appDb(), agent.key);
    if (!identity) throw new Error("the agent's key is not live");
    await revokeIngestKey({ ctx: userCtx("admin"), input: { agentId: agent.agentId, keyId: identity.keyId, reason: "leaked" } });
    expect(await revokedIds()).toContain(second.body.jti);
  });

  it("a kill revokes the agent's live tokens at once, tells followers, and no token is issued while it stands", async () => {
    const agent = await agentWithPolicy();
    const bystander = await agentWithPolicy();
    const first = await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] });
    const second = await ask(agent, { tools: ["order_lookup"], permissions: ["read"], ttl_seconds: 60 });
    const untouched = await ask(bystander, { tools: ["customer_lookup"], permissions: ["read"] });

    const controller = new AbortController();
    const stream = await revocationStream(new Request("http://soc.test/api/v1/tool-tokens/revocations/stream", { signal: controller.signal }));
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const reader = stream.body?.getReader();
    if (!reader) throw new Error("no stream body");
    let seen = "";
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 10_000;
      while (!seen.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`stream never said ${needle}: ${seen}`);
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        seen += new TextDecoder().decode(value);
      }
    };
    await readUntil("event: revocations");

    await killAgent({ ctx: userCtx("responder"), settings: { redis }, input: { agentId: agent.agentId, reason: "prompt injection" } });
    await readUntil(first.body.jti);
    await readUntil(second.body.jti);
    expect(seen).not.toContain(untouched.body.jti);
    controller.abort();

    const revoked = await revokedIds();
    expect(revoked).toEqual(expect.arrayContaining([first.body.jti, second.body.jti]));
    expect(revoked).not.toContain(untouched.body.jti);
    const audit = (await listAudit(appDb(), { target_type: "agent", target_id: agent.agentId, limit: 5 })).entries.find((e) => e.action === "killswitch.kill");
    expect(audit?.action).toBe("killswitch.kill");

    const refused = await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("is stopped");

    // A revive does not bring revoked tokens back; a new one may be asked for.
    await reviveAgent({ ctx: userCtx("admin"), settings: { redis }, input: { agentId: agent.agentId, reason: "reviewed" } });
    expect(await revokedIds()).toContain(first.body.jti);
    expect((await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] })).status).toBe(201);
  });

  it("a global kill revokes every agent's tokens and refuses every agent", async () => {
    const agent = await agentWithPolicy();
    const issued = await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] });
    try {
      await killAll({ ctx: userCtx("responder"), settings: { redis }, input: { reason: "fleet-wide incident" } });
      expect(await revokedIds()).toContain(issued.body.jti);
      expect((await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] })).status).toBe(403);
    } finally {
      await liftAll({ ctx: userCtx("admin"), settings: { redis }, input: { reason: "contained" } });
    }
    expect((await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] })).status).toBe(201);
  });

  it("rotating the signing key signs new tokens with the next key and keeps the old one published", async () => {
    const agent = await agentWithPolicy();
    const before = await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] });
    await expect(rotateSigningKey(userCtx("responder"), { reason: "routine" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(rotateSigningKey(userCtx("admin"), { reason: " " })).rejects.toMatchObject({ code: "VALIDATION" });
    const rotated = await rotateSigningKey(userCtx("admin"), { reason: "routine rotation" });
    expect(rotated.previous_kid).toBe(before.body.kid);

    const after = await ask(agent, { tools: ["customer_lookup"], permissions: ["read"] });
    expect(after.body.kid).toBe(rotated.kid);
    expect(after.body.kid).not.toBe(before.body.kid);
    const kids = (await jwks()).map((k) => k.kid);
    expect(kids[0]).toBe(rotated.kid);
    expect(kids).toContain(before.body.kid);
    expect(await verifiesOffline(before.body.token)).toBe(true);
    expect(await verifiesOffline(after.body.token)).toBe(true);
    const audit = (await listAudit(appDb(), { target_type: "tool_token_key", target_id: String(rotated.generation), limit: 5 })).entries;
    expect(audit[0]).toMatchObject({ action: "tool_tokens.rotate_key", reason: "routine rotation" });
  });
});
