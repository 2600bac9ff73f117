import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as statusStream } from "@/app/api/v1/agents/[agentId]/status/stream/route";
import { appDb } from "@/db/client";
import { issueIngestKey } from "@/lib/agents";
import { killAgent, reconcileKillSwitches, reviveAgent } from "@/lib/killswitch";
import { STREAMS_PER_KEY, statusHubCounters } from "@/lib/killswitch/status-hub";
import { appRedis } from "@/lib/redis";
import { newAgent, readyAppRedis, testCtx } from "@/scripts/testing/fixtures";

function redis() {
  const r = appRedis();
  if (!r) throw new Error("the tests need Redis");
  return r;
}

const admin = () => ({
  ...testCtx(),
  actor: { type: "user" as const, userId: randomUUID(), email: "admin@example.com", role: "admin" as const, sessionId: randomUUID() },
});

interface OpenStream {
  status: number;
  body: unknown;
  /** The next `status` event's data. */
  next: () => Promise<Record<string, unknown>>;
  close: () => void;
}

const open: OpenStream[] = [];

async function openStream(agentId: string, key: string): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await statusStream(
    new Request(`http://soc.test/api/v1/agents/${agentId}/status/stream`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal }),
    { params: Promise.resolve({ agentId }) },
  );
  if (res.status !== 200) return { status: res.status, body: await res.json(), next: () => Promise.reject(new Error("no stream")), close: () => undefined };
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no stream body");
  const decoder = new TextDecoder();
  let buffer = "";
  const next = async (): Promise<Record<string, unknown>> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: status$/m.test(block)) return JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "{}") as Record<string, unknown>;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
  const stream = { status: res.status, body: null, next, close: () => controller.abort() };
  open.push(stream);
  return stream;
}

beforeAll(async () => {
  await reconcileKillSwitches(appDb(), await readyAppRedis());
});

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe("the agent's status stream", () => {
  it(`allows ${STREAMS_PER_KEY} streams per ingest key and answers 429 naming the limit past that, until one closes`, async () => {
    const { agentId, key } = await newAgent();
    const streams = [];
    for (let i = 0; i < STREAMS_PER_KEY; i++) streams.push(await openStream(agentId, key));
    expect(streams.map((s) => s.status)).toEqual(Array(STREAMS_PER_KEY).fill(200));
    for (const s of streams) expect(await s.next()).toMatchObject({ alive: true });

    const refused = await openStream(agentId, key);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      error: { code: "RATE_LIMITED", message: expect.stringContaining(`limit of ${STREAMS_PER_KEY} per key`), streams_per_key: STREAMS_PER_KEY },
    });

    // Another key of the same agent has slots of its own.
    const second = await issueIngestKey({ ctx: admin(), input: { agentId } });
    expect((await openStream(agentId, second.ingest_key)).status).toBe(200);

    streams[0]?.close();
    let again = await openStream(agentId, key);
    for (let i = 0; i < 20 && again.status === 429; i++) {
      await new Promise((r) => setTimeout(r, 25));
      again = await openStream(agentId, key);
    }
    expect(again.status).toBe(200);
  });

  it("computes an agent's status once per change, however many streams it has open, and not at all for another agent's change", async () => {
    const { agentId, key } = await newAgent();
    const second = await issueIngestKey({ ctx: admin(), input: { agentId } });
    const streams = [];
    for (let i = 0; i < STREAMS_PER_KEY; i++) streams.push(await openStream(agentId, key));
    for (let i = 0; i < 3; i++) streams.push(await openStream(agentId, second.ingest_key));
    for (const s of streams) expect(await s.next()).toMatchObject({ alive: true });
    // The process-wide subscription is set up on first use; give it a moment to be listening.
    await new Promise((r) => setTimeout(r, 200));

    const before = { ...statusHubCounters };
    const unrelated = await newAgent();
    await killAgent({ ctx: admin(), settings: { redis: redis() }, input: { agentId: unrelated.agentId, reason: "someone else" } });
    await new Promise((r) => setTimeout(r, 200));
    expect(statusHubCounters.statusComputations - before.statusComputations).toBe(0);

    await killAgent({ ctx: admin(), settings: { redis: redis() }, input: { agentId, reason: "one change" } });
    for (const s of streams) {
      let status = await s.next();
      while (status.alive !== false) status = await s.next();
      expect(status).toMatchObject({ alive: false, reason: "Agent killed: one change" });
    }
    expect(statusHubCounters.statusComputations - before.statusComputations).toBe(1);
    // Each key is checked once per change too: two keys, eight streams.
    expect(statusHubCounters.keyChecks - before.keyChecks).toBe(2);

    await reviveAgent({ ctx: admin(), settings: { redis: redis() }, input: { agentId, reason: "reviewed" } });
    for (const s of streams) {
      let status = await s.next();
      while (status.alive !== true) status = await s.next();
    }
    expect(statusHubCounters.statusComputations - before.statusComputations).toBe(2);
  });
});
