import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as consoleStream } from "@/app/api/v1/killswitch/stream/route";
import { appDb } from "@/db/client";
import { apiTokens } from "@/db/schema";
import { authenticate, createUser, revokeApiToken, signIn, stillAuthorized } from "@/lib/auth";
import { signOut } from "@/lib/auth/sign-out";
import {
  CONSOLE_CHANNEL,
  CONSOLE_STREAMS_PER_IDENTITY,
  EVENTS_CHANNEL,
  killAgent,
  reconcileKillSwitches,
  subscribeKillEvents,
  watchKillSwitchChanges,
} from "@/lib/killswitch";
import { newAgent, readyAppRedis, testCtx, tokenFor } from "@/scripts/testing/fixtures";

const ORIGIN = "http://soc.test";
const admin = () => ({
  ...testCtx(),
  actor: { type: "user" as const, userId: randomUUID(), email: "admin@example.com", role: "admin" as const, sessionId: randomUUID() },
});

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

interface OpenStream {
  status: number;
  body: unknown;
  /** The next event (named or not), or "end" when the server closed the stream. */
  next: () => Promise<SseEvent | "end">;
  close: () => void;
}

const open: OpenStream[] = [];

async function openStream(headers: Record<string, string>, signal?: AbortSignal): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await consoleStream(new Request(`${ORIGIN}/api/v1/killswitch/stream`, { headers, signal: signal ?? controller.signal }));
  if (res.status !== 200) return { status: res.status, body: await res.json(), next: () => Promise.reject(new Error("no stream")), close: () => undefined };
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no stream body");
  const decoder = new TextDecoder();
  let buffer = "";
  const next = async (): Promise<SseEvent | "end"> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data === undefined) continue;
        return { event: /^event: (.*)$/m.exec(block)?.[1] ?? "message", data: JSON.parse(data) as Record<string, unknown> };
      }
      const { value, done } = await reader.read();
      if (done) return "end";
      buffer += decoder.decode(value, { stream: true });
    }
  };
  const stream = { status: res.status, body: null, next, close: () => controller.abort() };
  open.push(stream);
  return stream;
}

/** Kills a fresh agent and returns its id: a change every open console is told of. */
async function killSomeone(reason: string): Promise<string> {
  const { agentId } = await newAgent({ prefix: "console-stream" });
  await killAgent({ ctx: admin(), settings: { redis: await readyAppRedis() }, input: { agentId, reason } });
  return agentId;
}

/** Whether an event tells of a change to this agent. */
const tellsOf = (event: SseEvent, agentId: string) => event.event === "message" && String(event.data.message ?? "").includes(agentId);

/** Events until the change naming `agentId`, or until the stream ends. */
async function untilChangeOf(stream: OpenStream, agentId: string): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  for (;;) {
    const event = await stream.next();
    if (event === "end") return seen;
    seen.push(event);
    if (tellsOf(event, agentId)) return seen;
  }
}

/** A person signed in through the console: their session cookie, and who it authenticates as. */
async function person(role: "viewer" | "admin") {
  const email = `stream-${randomUUID().slice(0, 8)}@example.com`;
  const password = "a long enough password";
  await createUser({ ctx: testCtx(), input: { email, role, password } });
  const signed = await signIn({ ctx: { ...testCtx(), actor: { type: "anonymous" } }, input: { email, password }, userAgent: null });
  const cookie = `soc_session=${signed.sessionToken}`;
  const who = await authenticate(appDb(), { authorization: null, cookie }, { countsAsUse: false });
  if (who?.actor.type !== "user") throw new Error("the new session does not authenticate");
  return { cookie, actor: who.actor };
}

beforeAll(async () => {
  const redis = await readyAppRedis();
  await reconcileKillSwitches(appDb(), redis);
  // The process-wide subscription is made on first use: wait until it hears, so no test's change is published before it listens.
  let heard = false;
  const off = subscribeKillEvents(redis, () => (heard = true));
  for (let i = 0; i < 100 && !heard; i++) {
    await redis.publish(CONSOLE_CHANNEL, JSON.stringify({ action: "test: is anyone listening" }));
    await new Promise((r) => setTimeout(r, 50));
  }
  off();
  if (!heard) throw new Error("the kill-switch subscription never heard a message");
});

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe("the console's kill-switch stream", () => {
  it("ends a token's stream once the token is revoked, without telling it of the next kill", async () => {
    const viewer = await tokenFor("viewer");
    const stream = await openStream({ authorization: `Bearer ${viewer.token}` });
    expect(stream.status).toBe(200);
    expect(await stream.next()).toMatchObject({ data: { action: "hello" } });
    const first = await killSomeone("before the revocation");
    expect((await untilChangeOf(stream, first)).filter((e) => tellsOf(e, first))).toHaveLength(1);

    await revokeApiToken({ ctx: testCtx(), input: { tokenId: viewer.id, reason: "left the team" } });
    const second = await killSomeone("after the revocation");
    const after = await untilChangeOf(stream, second);
    expect(after.filter((e) => tellsOf(e, second))).toEqual([]);
    expect(after.at(-1)).toMatchObject({ event: "revoked", data: { error: expect.stringMatching(/no longer allows this stream/) } });
    expect(await stream.next()).toBe("end");
  });

  it("ends a browser session's stream once the person signs out", async () => {
    const viewer = await person("viewer");
    const stream = await openStream({ cookie: viewer.cookie });
    expect(stream.status).toBe(200);
    expect(await stream.next()).toMatchObject({ data: { action: "hello" } });
    await signOut({ ctx: { ...testCtx(), actor: viewer.actor } });
    const agentId = await killSomeone("after signing out");
    const after = await untilChangeOf(stream, agentId);
    expect(after.filter((e) => tellsOf(e, agentId))).toEqual([]);
    expect(after.at(-1)?.event).toBe("revoked");
    expect(await stream.next()).toBe("end");
  });

  it("checks the caller again while nothing happens, too, and ends a watch that no longer may", async () => {
    const redis = await readyAppRedis();
    let allowed = true;
    let checks = 0;
    const told: string[] = [];
    let stop: () => void = () => undefined;
    const refused = new Promise<string>((resolve) => {
      stop = watchKillSwitchChanges(
        redis,
        {
          stillAllowed: async () => {
            checks++;
            return allowed;
          },
          onChange: (m) => told.push(m),
          onRefused: resolve,
        },
        50,
      );
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(checks).toBeGreaterThan(1);
      allowed = false;
      expect(await refused).toMatch(/no longer allows/);
      // Ended: a later change reaches nobody, and nothing is checked any more.
      const after = checks;
      await redis.publish(EVENTS_CHANNEL, JSON.stringify({ action: "kill", agent_id: "after-the-end" }));
      await new Promise((r) => setTimeout(r, 200));
      expect(told.filter((m) => m.includes("after-the-end"))).toEqual([]);
      expect(checks).toBe(after);
    } finally {
      stop();
    }
  });

  it(`allows ${CONSOLE_STREAMS_PER_IDENTITY} streams per token and answers 429 naming the limit past that, until one closes`, async () => {
    const viewer = await tokenFor("viewer");
    const headers = { authorization: `Bearer ${viewer.token}` };
    // Requests whose caller left while they were being authenticated hold no slot.
    for (let i = 0; i < 3; i++) {
      const gone = new AbortController();
      gone.abort();
      await openStream(headers, gone.signal);
    }
    const streams = [];
    for (let i = 0; i < CONSOLE_STREAMS_PER_IDENTITY; i++) streams.push(await openStream(headers));
    expect(streams.map((s) => s.status)).toEqual(Array(CONSOLE_STREAMS_PER_IDENTITY).fill(200));

    const refused = await openStream(headers);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      error: {
        code: "RATE_LIMITED",
        message: expect.stringContaining(`limit of ${CONSOLE_STREAMS_PER_IDENTITY} per person or token`),
        streams_per_identity: CONSOLE_STREAMS_PER_IDENTITY,
      },
    });
    // Another token has slots of its own.
    expect((await openStream({ authorization: `Bearer ${(await tokenFor("viewer")).token}` })).status).toBe(200);

    streams[0]?.close();
    expect((await openStream(headers)).status).toBe(200);
  });

  it("checks again without counting as use: a token's last use and a session's idle clock stay where they were", async () => {
    const viewer = await tokenFor("viewer");
    const longAgo = new Date(Date.now() - 3_600_000);
    await appDb().update(apiTokens).set({ lastUsedAt: longAgo }).where(eq(apiTokens.id, viewer.id));
    const actor = { type: "api_token" as const, tokenId: viewer.id, name: "x", role: "viewer" as const };
    expect(await stillAuthorized(appDb(), { authorization: `Bearer ${viewer.token}`, cookie: null }, actor, "viewer")).toBe(true);
    const [row] = await appDb().select({ lastUsedAt: apiTokens.lastUsedAt }).from(apiTokens).where(eq(apiTokens.id, viewer.id));
    expect(row?.lastUsedAt?.getTime()).toBe(longAgo.getTime());
    // Another token's credentials do not stand in for the one the stream was opened with.
    const other = await tokenFor("admin");
    expect(await stillAuthorized(appDb(), { authorization: `Bearer ${other.token}`, cookie: null }, actor, "viewer")).toBe(false);

    const viewerPerson = await person("viewer");
    const sessionId = viewerPerson.actor.sessionId;
    await appDb().execute(sql`UPDATE user_sessions SET last_seen_at = now() - interval '30 minutes' WHERE id = ${sessionId}`);
    expect(await stillAuthorized(appDb(), { authorization: null, cookie: viewerPerson.cookie }, viewerPerson.actor, "viewer")).toBe(true);
    const seen = await appDb().execute<{ idle: boolean }>(
      sql`SELECT last_seen_at < now() - interval '29 minutes' AS idle FROM user_sessions WHERE id = ${sessionId}`,
    );
    expect(seen.rows[0]?.idle).toBe(true);
    // A role below the one asked for is refused.
    expect(await stillAuthorized(appDb(), { authorization: null, cookie: viewerPerson.cookie }, viewerPerson.actor, "analyst")).toBe(false);
  });
});
