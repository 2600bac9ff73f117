import { AgentKilled, Client, type Session } from "@agentsoc/sdk";
import { expect, test } from "@playwright/test";
import Redis from "ioredis";
import { e2eEnv } from "../../lib/env";
import { signInAs } from "../support/agents";
import { apiTokens, callApi, capturingLogger, consoleUrl, percentile, registerAgent, waitFor } from "./sdk-world";
import { startTcpProxy } from "./tcp-proxy";

// Agents, CLI calls and a console on a machine shared with other work: generous limits, tight assertions.
test.describe.configure({ timeout: 60_000 });

/** The moment check() first throws AgentKilled (performance.now()), checking every millisecond as a busy agent would. */
function whenKilled(session: Session, timeoutMs = 5000): Promise<{ at: number; error: AgentKilled }> {
  return waitFor(
    "check() to throw AgentKilled",
    () => {
      try {
        session.check();
        return undefined;
      } catch (err) {
        if (err instanceof AgentKilled) return { at: performance.now(), error: err };
        throw err;
      }
    },
    timeoutMs,
  );
}

function whenAllowed(session: Session, timeoutMs = 5000): Promise<number> {
  return waitFor(
    "check() to pass",
    () => {
      try {
        session.check();
        return performance.now();
      } catch (err) {
        if (err instanceof AgentKilled) return undefined;
        throw err;
      }
    },
    timeoutMs,
  );
}

type KillRecord = { agent_id: string; killed: boolean; acknowledged_at: string | null; time_to_stop_s: number | null };

test("a kill through the console's API makes check() throw within 1 s, the console shows the acknowledgement, and a revive lets the agent act again", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const agent = await registerAgent("e2e-sdk-kill");
  const { responder, admin } = apiTokens();
  const client = new Client({ url: consoleUrl(), ingestKey: agent.key, agentId: agent.agentId, logger: capturingLogger() });
  const path = `/api/v1/killswitch/agents/${agent.agentId}`;
  const killMs: number[] = [];
  const reviveMs: number[] = [];
  try {
    expect(await client.ready(5000)).toBe(true);
    const session = client.session();
    session.check();
    for (let round = 0; round < 5; round++) {
      const killAt = performance.now();
      const [killed] = await Promise.all([whenKilled(session), callApi("PUT", path, responder, { reason: `SDK drill ${round}` })]);
      killMs.push(killed.at - killAt);
      expect(killed.error).toMatchObject({ kind: "killed", reason: `Agent killed: SDK drill ${round}` });
      expect(client.isAlive()).toBe(false);
      const acked = await waitFor(
        "the console to record the acknowledgement",
        async () => {
          const { agents } = (await callApi("GET", "/api/v1/killswitch", responder)) as { agents: KillRecord[] };
          const record = agents.find((a) => a.agent_id === agent.agentId);
          return record?.acknowledged_at ? record : undefined;
        },
        5000,
        50,
      );
      expect(acked.time_to_stop_s).toBeGreaterThanOrEqual(0);
      expect(acked.time_to_stop_s).toBeLessThan(1);
      if (round === 4) break;
      const reviveAt = performance.now();
      const [allowedAt] = await Promise.all([whenAllowed(session), callApi("DELETE", path, admin, { reason: "drill over" })]);
      reviveMs.push(allowedAt - reviveAt);
    }
    console.log(
      `[sdk] kill API call → AgentKilled: p50 ${percentile(killMs, 50).toFixed(0)} ms, max ${Math.max(...killMs).toFixed(0)} ms over ${killMs.length} kills; revive → check() passes: max ${Math.max(...reviveMs).toFixed(0)} ms`,
    );
    expect(Math.max(...killMs)).toBeLessThan(1000);
    expect(client.stats().killSwitch.acks).toBe(5);

    // What an on-call engineer sees: the kill, and how long the agent took to stop.
    await signInAs(page, "viewer");
    await page.goto("/agents");
    const row = page.getByRole("table", { name: "Agents" }).getByRole("row").filter({ hasText: agent.agentId });
    await expect(row.getByRole("status")).toContainText("SDK drill 4");
    await expect(row.getByRole("status")).toContainText(/stopped after \d+\.\d s/);

    await callApi("DELETE", path, admin, { reason: "drill over" });
    await whenAllowed(session, 1000);
  } finally {
    await client.close(1000);
  }
});

test("the global kill stops every agent within 1 s and lifting it lets them act", async () => {
  const { responder, admin } = apiTokens();
  const agents = [await registerAgent("e2e-sdk-global-a"), await registerAgent("e2e-sdk-global-b")];
  const clients = agents.map((a) => new Client({ url: consoleUrl(), ingestKey: a.key, agentId: a.agentId, logger: capturingLogger() }));
  try {
    for (const client of clients) expect(await client.ready(5000)).toBe(true);
    const sessions = clients.map((c) => c.session());
    const killAt = performance.now();
    const [killedA, killedB] = await Promise.all([
      whenKilled(sessions[0] as Session),
      whenKilled(sessions[1] as Session),
      callApi("PUT", "/api/v1/killswitch/global", responder, { reason: "SDK global drill" }),
    ]);
    for (const killed of [killedA, killedB]) {
      expect(killed.at - killAt).toBeLessThan(1000);
      expect(killed.error.reason).toBe("Global kill switch active: SDK global drill");
    }
    await Promise.all([
      whenAllowed(sessions[0] as Session),
      whenAllowed(sessions[1] as Session),
      callApi("DELETE", "/api/v1/killswitch/global", admin, { reason: "drill over" }),
    ]);
  } finally {
    await callApi("DELETE", "/api/v1/killswitch/global", admin, { reason: "drill over" }).catch(() => undefined);
    for (const client of clients) await client.close(1000);
  }
});

test("Redis mode reads the guide's own keys: redis-cli HSET without a message, the guide's kill_agent and kill_all, DEL, and a kill from the console", async () => {
  const redisUrl = e2eEnv().AGENTSOC_TEST_REDIS_URL;
  const agent = await registerAgent("e2e-sdk-redis");
  const { responder, admin } = apiTokens();
  const redis = new Redis(redisUrl);
  const logger = capturingLogger();
  const polling = new Client({ url: consoleUrl(), ingestKey: agent.key, agentId: agent.agentId, redisUrl, redisPollMs: 250, logger });
  // Reads Redis only when a message comes (or once a minute): what it sees in time, it saw through agent:killswitch:events.
  const listening = new Client({ url: consoleUrl(), ingestKey: agent.key, agentId: agent.agentId, redisUrl, redisPollMs: 60_000, logger });
  const key = `agent:killswitch:${agent.agentId}`;
  try {
    expect(await polling.ready(5000)).toBe(true);
    expect(await listening.ready(5000)).toBe(true);
    expect(polling.stats().killSwitch.mode).toBe("redis");
    const [p, l] = [polling.session(), listening.session()];
    p.check();
    l.check();

    // The guide's command-line kill: HSET, no PUBLISH. Only reading the key finds it.
    await redis.hset(key, { killed: "true", reason: "Prompt injection detected", killed_by: "security-team" });
    expect((await whenKilled(p, 1500)).error.reason).toBe("Agent killed: Prompt injection detected");
    await redis.del(key);
    await whenAllowed(p, 1500);

    // The guide's AgentKillSwitch.kill_agent: HSET, then PUBLISH on agent:killswitch:events.
    let at = performance.now();
    await redis.hset(key, { killed: "true", reason: "kill_agent drill", killed_by: "security-team", killed_at: String(Date.now() / 1000) });
    await redis.publish("agent:killswitch:events", JSON.stringify({ action: "kill", agent_id: agent.agentId, reason: "kill_agent drill" }));
    expect((await whenKilled(l, 1000)).at - at).toBeLessThan(1000);
    await redis.del(key);
    await redis.publish("agent:killswitch:events", JSON.stringify({ action: "revive", agent_id: agent.agentId, revived_by: "security-team" }));
    await whenAllowed(l, 1000);

    // The guide's kill_all_agents: the global key as JSON, and a kill_all message.
    at = performance.now();
    await redis.set(
      "agent:killswitch:global",
      JSON.stringify({ killed: true, reason: "Security incident", killed_by: "oncall-engineer", killed_at: Date.now() / 1000 }),
    );
    await redis.publish("agent:killswitch:events", JSON.stringify({ action: "kill_all", reason: "Security incident" }));
    const globalKill = await whenKilled(l, 1000);
    expect(globalKill.at - at).toBeLessThan(1000);
    expect(globalKill.error.reason).toBe("Global kill switch active: Security incident");
    await redis.del("agent:killswitch:global");
    await redis.publish("agent:killswitch:events", JSON.stringify({ action: "lift_all" }));
    await whenAllowed(l, 1000);

    // The console writes the same layout: its kill reaches a Redis-mode agent, and the agent's ack reaches the console.
    at = performance.now();
    const [killed] = await Promise.all([
      whenKilled(l, 1000),
      callApi("PUT", `/api/v1/killswitch/agents/${agent.agentId}`, responder, { reason: "console kill, Redis mode" }),
    ]);
    expect(killed.at - at).toBeLessThan(1000);
    await waitFor(
      "the acknowledgement",
      async () => {
        const { agents } = (await callApi("GET", "/api/v1/killswitch", responder)) as { agents: KillRecord[] };
        return agents.find((a) => a.agent_id === agent.agentId && a.killed && a.acknowledged_at) ? true : undefined;
      },
      5000,
      50,
    );
    await callApi("DELETE", `/api/v1/killswitch/agents/${agent.agentId}`, admin, { reason: "drill over" });
    await whenAllowed(l, 1000);
  } finally {
    await redis.del("agent:killswitch:global");
    redis.disconnect();
    await polling.close(1000);
    await listening.close(1000);
  }
});

test("when the console cannot be reached, fail-closed stops the agent after the staleness and fail-open lets it act, saying so", async () => {
  const agent = await registerAgent("e2e-sdk-fail");
  const proxy = await startTcpProxy(e2eEnv().AGENTSOC_E2E_PORT);
  const openLog = capturingLogger();
  const closed = new Client({ url: proxy.url, ingestKey: agent.key, agentId: agent.agentId, staleAfterMs: 1000, logger: capturingLogger() });
  const open = new Client({ url: proxy.url, ingestKey: agent.key, agentId: agent.agentId, staleAfterMs: 1000, failPolicy: "open", logger: openLog });
  try {
    expect(await closed.ready(5000)).toBe(true);
    expect(await open.ready(5000)).toBe(true);
    const [c, o] = [closed.session(), open.session()];
    c.check();
    o.check();

    const cutAt = performance.now();
    proxy.pause();
    const stopped = await whenKilled(c, 5000);
    expect(stopped.at - cutAt).toBeLessThan(3000);
    expect(stopped.error.kind).toBe("unknown");
    const age = /kill switch state is stale: last confirmed (\d+\.\d) s ago, more than the 1 s allowed .*; fail policy "closed" stops the agent/.exec(
      stopped.error.reason,
    );
    expect(Number(age?.[1])).toBeGreaterThanOrEqual(1);
    expect(closed.isAlive()).toBe(false);

    // The open client saw its own stream close, a few milliseconds apart from the closed one's: it acts all along, and says so once it is stale.
    const openWarnings = () =>
      openLog.lines.filter((l) => l.level === "warn" && l.message.startsWith('acting without a fresh kill-switch state, as fail policy "open" allows'));
    await waitFor(
      "the open client to act on a stale state",
      () => {
        o.check();
        return openWarnings().length > 0 ? true : undefined;
      },
      3000,
      20,
    );
    expect(() => o.check()).not.toThrow();
    expect(open.isAlive()).toBe(true);
    expect(openWarnings()).toHaveLength(1);

    proxy.resume();
    await whenAllowed(c, 8000);
  } finally {
    await closed.close(1000);
    await open.close(1000);
    await proxy.close();
  }
});
