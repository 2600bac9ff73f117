import { Client } from "@agentsoc/sdk";
import { expect, test } from "@playwright/test";
import { e2eEnv } from "../../lib/env";
import { capturingLogger, percentile, query, registerAgent, sleep } from "./sdk-world";
import { startTcpProxy } from "./tcp-proxy";

// Agents, CLI calls and a console on a machine shared with other work: generous limits, tight assertions.
test.describe.configure({ timeout: 60_000 });

const consolePort = () => e2eEnv().AGENTSOC_E2E_PORT;

test("10,000 events from four concurrent loggers arrive exactly once through a 10 s outage, and log() never blocks (p99 < 1 ms)", async () => {
  test.setTimeout(90_000);
  const agent = await registerAgent("e2e-sdk-volume");
  const proxy = await startTcpProxy(consolePort());
  const logger = capturingLogger();
  const client = new Client({
    url: proxy.url,
    ingestKey: agent.key,
    agentId: agent.agentId,
    logger,
    retryBaseMs: 200,
    retryMaxMs: 2000,
    watchKillSwitch: false,
  });
  const durations: number[] = [];
  let pendingAtResume = 0;
  try {
    const started = performance.now();
    const outage = (async () => {
      await sleep(2500);
      proxy.pause();
      await sleep(10_000);
      pendingAtResume = client.stats().queued;
      proxy.resume();
    })();
    // Four loggers, each its own session, taking turns on the event loop as an agent's tasks do, for about 14 s.
    const loggers = [0, 1, 2, 3].map(async (worker) => {
      const session = client.session(`sess_volume_${worker}_${agent.agentId}`);
      for (let burst = 0; burst < 50; burst++) {
        for (let i = 0; i < 50; i++) {
          const n = worker * 2500 + burst * 50 + i;
          const t0 = performance.now();
          session.log("tool_call", "kb_search", {
            toolName: "kb_search",
            inputSummary: `query ${n}`,
            outputSummary: "3 articles",
            durationMs: 12.5,
            metadata: { n },
          });
          durations.push(performance.now() - t0);
        }
        await sleep(240 + Math.random() * 60);
      }
    });
    await Promise.all([...loggers, outage]);
    expect(performance.now() - started).toBeGreaterThan(12_500);
    expect(await client.flush(30_000)).toBe(true);
  } finally {
    await client.close(1000);
    await proxy.close();
  }

  const stats = client.stats();
  // The outage was real: events waited, and requests failed and were retried.
  expect(pendingAtResume).toBeGreaterThan(1000);
  expect(stats.retries).toBeGreaterThan(0);
  expect(logger.lines.some((l) => l.level === "warn" && l.message.startsWith("cannot deliver events, retrying"))).toBe(true);
  expect(stats).toMatchObject({ logged: 10_000, rejected: 0, dropped: 0, abandoned: 0, queued: 0 });
  expect(stats.delivered + stats.duplicates).toBe(10_000);

  const [stored] = await query<{ rows: string; distinct_n: string; min_n: number; max_n: number }>(
    `SELECT count(*) AS rows, count(DISTINCT (metadata->>'n')::int) AS distinct_n, min((metadata->>'n')::int) AS min_n, max((metadata->>'n')::int) AS max_n
       FROM events WHERE agent_id = $1`,
    [agent.agentId],
  );
  expect(stored).toEqual({ rows: "10000", distinct_n: "10000", min_n: 0, max_n: 9999 });

  const p99 = percentile(durations, 99);
  console.log(
    `[sdk] log(): p50 ${(percentile(durations, 50) * 1000).toFixed(1)} µs, p99 ${(p99 * 1000).toFixed(1)} µs, max ${Math.max(...durations).toFixed(2)} ms over ${durations.length} calls; ${stats.retries} retries, ${stats.duplicates} duplicates the console skipped, ${pendingAtResume} events waiting when the console came back`,
  );
  expect(p99).toBeLessThan(1);
});

test("records the console rejects are logged with its reason and never retried; a refused key is not retried either", async () => {
  const agent = await registerAgent("e2e-sdk-reject");
  const proxy = await startTcpProxy(consolePort());
  const logger = capturingLogger();
  const client = new Client({ url: proxy.url, ingestKey: agent.key, agentId: agent.agentId, logger, watchKillSwitch: false });
  const stranger = new Client({ url: proxy.url, ingestKey: "soc_ik_not-a-key", agentId: agent.agentId, logger, watchKillSwitch: false });
  try {
    const session = client.session("sess_reject");
    const good = session.log("decision", "plan", { inputSummary: "kept" });
    const badName = session.log("tool_call", "lookup\ud800", { toolName: "lookup" });
    const badDuration = session.log("llm_call", "model", { durationMs: -5 });
    expect(await client.flush(10_000)).toBe(true);
    expect(client.stats()).toMatchObject({ delivered: 1, rejected: 2, queued: 0 });
    const rejections = logger.lines.filter((l) => l.message === "the console rejected a record; it is not retried");
    expect(rejections.map((l) => l.fields?.event_id).sort()).toEqual([badName, badDuration].sort());
    expect(rejections.find((l) => l.fields?.event_id === badName)?.fields?.errors).toEqual([
      { path: "action_name", message: "contains a lone surrogate (not valid Unicode), which cannot be stored" },
    ]);
    expect(JSON.stringify(rejections.find((l) => l.fields?.event_id === badDuration)?.fields?.errors)).toContain("duration_ms");

    // A batch of nothing but bad records is refused whole (400): reported, not retried.
    client.session("..").log("decision", "plan");
    expect(await client.flush(10_000)).toBe(true);
    expect(client.stats().rejected).toBe(3);

    stranger.session("sess_x").log("decision", "plan");
    expect(await stranger.flush(10_000)).toBe(true);
    expect(stranger.stats()).toMatchObject({
      rejected: 1,
      retries: 0,
      lastError: expect.stringMatching(/^401 UNAUTHENTICATED: A valid ingest key is required/),
    });
    expect(logger.lines.some((l) => l.level === "error" && /refused a batch of 1 events; they are not retried/.test(l.message))).toBe(true);

    // Given time to retry, neither client sent anything again: one request per batch.
    await sleep(1500);
    expect(proxy.ingestPosts()).toBe(3);
    expect(client.stats().retries).toBe(0);
    const stored = await query<{ event_id: string }>("SELECT event_id FROM events WHERE agent_id = $1", [agent.agentId]);
    expect(stored.map((r) => r.event_id)).toEqual([good]);
  } finally {
    await client.close(1000);
    await stranger.close(1000);
    await proxy.close();
  }
});

test("a full buffer drops the oldest events, counts them, and reports the count to the console as a security event", async () => {
  const agent = await registerAgent("e2e-sdk-overflow");
  const proxy = await startTcpProxy(consolePort());
  const logger = capturingLogger();
  const client = new Client({
    url: proxy.url,
    ingestKey: agent.key,
    agentId: agent.agentId,
    logger,
    maxBufferedEvents: 50,
    batchSize: 20,
    retryBaseMs: 100,
    retryMaxMs: 300,
    watchKillSwitch: false,
  });
  try {
    proxy.pause();
    const session = client.session("sess_overflow");
    for (let n = 0; n < 200; n++) session.log("decision", "step", { metadata: { n } });
    await sleep(300);
    proxy.resume();
    expect(await client.flush(10_000)).toBe(true);
  } finally {
    await client.close(1000);
    await proxy.close();
  }
  // The buffer held the newest 50; the 150 before them were dropped, oldest first.
  expect(client.stats()).toMatchObject({ logged: 200, dropped: 150, rejected: 0, queued: 0 });
  const kept = await query<{ n: number }>(`SELECT (metadata->>'n')::int AS n FROM events WHERE agent_id = $1 AND action_name = 'step' ORDER BY 1`, [
    agent.agentId,
  ]);
  expect(kept.map((r) => r.n)).toEqual(Array.from({ length: 50 }, (_, i) => 150 + i));
  const reports = await query<{ action_type: string; session_id: string; security_flags: string[]; metadata: Record<string, unknown> }>(
    "SELECT action_type, session_id, security_flags, metadata FROM events WHERE agent_id = $1 AND action_name = 'sdk_events_dropped'",
    [agent.agentId],
  );
  expect(reports).toEqual([
    {
      action_type: "security",
      session_id: "sess_overflow",
      security_flags: ["sdk_events_dropped"],
      metadata: { dropped: 150, dropped_total: 150, max_buffer: 50 },
    },
  ]);
  expect(logger.lines.some((l) => l.level === "warn" && l.message === "150 events were dropped: the buffer of 50 was full")).toBe(true);
});
