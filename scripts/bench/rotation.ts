import os from "node:os";
import Redis from "ioredis";
import pg from "pg";
import { createDb } from "@/db/client";
import { registerAgent } from "@/lib/agents";
import { createApiToken } from "@/lib/auth";
import { randomSecret } from "@/lib/credentials/providers/random-secret";
import { benchEnv } from "@/lib/env";
import type { RotationRunView } from "@/lib/rotation/views";
import { cliContext } from "../lib/script-context";
import { EGRESS_ALLOW_FOR_TESTS } from "../testing/egress";
import { startRedisServer, startTestInfra, testSocSecret } from "../testing/infra";
import { startPasswordCheckingPostgres } from "../testing/scram-postgres";
import { startSecretManager } from "../testing/secret-manager";
import { type BenchApp, runBench, startBenchApp } from "./bench-app";
import { buildAppForBench } from "./build-app";

/**
 * bench:rotation — credential rotation through the built app, against real targets: a PostgreSQL
 * that checks passwords (scram-sha-256), Redis ACL users, and a secret manager's webhook on loopback.
 *  1. One compromised agent's whole inventory (ingest key, HMAC secret, two database roles, two
 *     Redis users, one secret-manager secret), for BENCH_ROTATIONS agents in turn (default 10): from
 *     the POST to the run's end, and per kind from an item's first step to its record.
 *  2. A fleet: BENCH_FLEET_AGENTS agents (default 100), each with an ingest key, an HMAC secret, a
 *     database role and a Redis user, one run per agent started together: time until all have ended.
 * Every run must succeed with every old secret proven refused; the first run's new database and
 * Redis passwords are also checked from outside the console (they log in, the old ones do not).
 */
const ROTATIONS = benchEnv().BENCH_ROTATIONS ?? 10;
const FLEET_AGENTS = benchEnv().BENCH_FLEET_AGENTS ?? 100;
/** Runs started at once in the fleet scenario, as a script calling the API would. */
const START_CONCURRENCY = 10;
const POLL_MS = 100;
const RUN_LIMIT_MS = 10 * 60_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: Math.round(percentile(sorted, 50)), p95: Math.round(percentile(sorted, 95)), max: Math.round(sorted.at(-1) ?? NaN) };
};
const ms = (from: string | null, to: string | null) => (from && to ? Date.parse(to) - Date.parse(from) : NaN);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

interface Api {
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

function api(baseUrl: string, token: string): Api {
  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
      return JSON.parse(text) as T;
    },
  };
}

async function waitForRun(client: Api, id: string): Promise<RotationRunView> {
  const deadline = Date.now() + RUN_LIMIT_MS;
  for (;;) {
    const { rotation } = await client.call<{ rotation: RotationRunView }>("GET", `/api/v1/rotations/${id}`);
    if (rotation.status !== "running") return rotation;
    if (Date.now() > deadline) throw new Error(`rotation ${id} still running after ${RUN_LIMIT_MS / 60_000} minutes`);
    await sleep(POLL_MS);
  }
}

/** A run that did not succeed, or a credential whose old secret was not proven refused, ends the bench: a fast failure is no figure. */
function requireClean(run: RotationRunView): void {
  if (run.status !== "succeeded") {
    throw new Error(
      `rotation ${run.id} ${run.status}: ${run.items.map((i) => `${i.credential_name} ${i.state} at ${i.step} (${i.last_error ?? ""})`).join("; ")}`,
    );
  }
  // An HMAC secret's verifiers are the agents themselves: the console cannot prove it refused (null), only that it no longer holds it.
  const unproven = run.items.filter((i) => i.old_refused === false || (i.old_refused === null && i.kind !== "hmac_secret"));
  if (unproven.length > 0) throw new Error(`rotation ${run.id}: old secret not proven refused for ${unproven.map((i) => i.credential_name).join(", ")}`);
}

async function redisLogin(host: string, port: number, user: string, password: string): Promise<string> {
  const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.call("AUTH", user, password);
    return "ok";
  } catch (err) {
    return err instanceof Error ? (err.message.split(" ")[0] ?? err.message) : String(err);
  } finally {
    client.disconnect();
  }
}

async function main(): Promise<void> {
  buildAppForBench();
  const infra = await startTestInfra("agentsoc_bench");
  const targetsPg = await startPasswordCheckingPostgres();
  // ACL users are server-wide (no logical database keeps them apart): the agents' Redis users live
  // on a redis-server of the bench's own, never on the Redis the console and other runs share.
  const targetsRedis = await startRedisServer();
  const redisUrl = new URL(targetsRedis.url);
  const redisHost = redisUrl.hostname;
  const redisPort = Number(redisUrl.port);
  const redisAdmin = new Redis(targetsRedis.url);
  const pgAdmin = new pg.Client({ connectionString: targetsPg.adminUrl });
  await pgAdmin.connect();
  const db = createDb(infra.databaseUrl, 2);
  const managers: { close: () => Promise<unknown> }[] = [];
  let app: BenchApp | null = null;
  try {
    app = await startBenchApp({
      DATABASE_URL: infra.databaseUrl,
      REDIS_URL: infra.redisUrl,
      SOC_SECRET: testSocSecret(),
      SOC_ROTATION_PG_ADMIN_URL: targetsPg.adminUrl,
      SOC_ROTATION_REDIS_ADMIN_URL: targetsRedis.url,
      SOC_EGRESS_ALLOW_CIDRS: EGRESS_ALLOW_FOR_TESTS,
    });
    const baseUrl = app.url;
    const ctx = cliContext(db.db);
    const { token } = await createApiToken({ ctx, input: { name: "bench", role: "admin" } });
    const client = api(baseUrl, token);
    const tag = `${process.pid}`;

    const addDatabaseRole = async (agentId: string, name: string, role: string) => {
      const password = randomSecret();
      await pgAdmin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
      await pgAdmin.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
      await client.call("POST", "/api/v1/credentials", {
        agent_id: agentId,
        name,
        kind: "postgres_role",
        config: { role, host: "127.0.0.1", port: targetsPg.port, database: "postgres" },
        current_secret: password,
      });
      return password;
    };
    const addRedisUser = async (agentId: string, name: string, username: string) => {
      const password = randomSecret();
      await redisAdmin.call("ACL", "SETUSER", username, "on", `>${password}`, "~agent:*", "+@read", "+ping");
      await client.call("POST", "/api/v1/credentials", {
        agent_id: agentId,
        name,
        kind: "redis_acl_user",
        config: { username, host: redisHost, port: redisPort },
        current_secret: password,
      });
      return password;
    };
    const addManagedSecret = async (agentId: string, name: string) => {
      const created = await client.call<{ credential: { id: string }; signing_key: string }>("POST", "/api/v1/credentials", {
        agent_id: agentId,
        name,
        kind: "webhook",
        config: { url: "http://127.0.0.1:9/not-yet", secret_id: `prod/${agentId}` },
      });
      const manager = await startSecretManager(Buffer.from(created.signing_key, "hex"));
      managers.push(manager);
      await client.call("PATCH", `/api/v1/credentials/${created.credential.id}`, { config: { url: manager.url, secret_id: `prod/${agentId}` } });
    };

    // 1. One compromised agent's whole inventory at a time, as from its incident (a fresh agent each
    // time: the same credentials again within seconds would be the same click, answered with the same run).
    const inventory = async (i: number) => {
      const id = (await registerAgent({ ctx, input: { agentId: `bench-rotation-${tag}-${i}` } })).agent_id;
      await client.call("POST", "/api/v1/credentials", {
        agent_id: id,
        name: "peer signing",
        kind: "hmac_secret",
        config: { purpose: "messages to other agents" },
      });
      const role = `bench_orders_${tag}_${i}`;
      const rolePassword = await addDatabaseRole(id, "orders db login", role);
      await addDatabaseRole(id, "billing db login", `bench_billing_${tag}_${i}`);
      const user = `bench-cache-${tag}-${i}`;
      const userPassword = await addRedisUser(id, "cache login", user);
      await addRedisUser(id, "queue login", `bench-queue-${tag}-${i}`);
      await addManagedSecret(id, "payments api key");
      return { agentId: id, role, rolePassword, user, userPassword };
    };

    const endToEnd: number[] = [];
    const serverSide: number[] = [];
    const perKind = new Map<string, number[]>();
    let inventorySize = 0;
    for (let r = 0; r < ROTATIONS; r++) {
      const agent = await inventory(r);
      const t0 = performance.now();
      const { id } = await client.call<{ id: string }>("POST", "/api/v1/rotations", { agent_id: agent.agentId });
      const run = await waitForRun(client, id);
      endToEnd.push(performance.now() - t0);
      requireClean(run);
      inventorySize = run.items.length;
      serverSide.push(ms(run.created_at, run.finished_at));
      for (const item of run.items) perKind.set(item.kind, [...(perKind.get(item.kind) ?? []), ms(item.started_at, item.finished_at)]);

      if (r === 0) {
        // Seen from outside the console: the new passwords log in, the old ones are refused.
        const secretOf = async (name: string) => {
          const item = run.items.find((i) => i.credential_name === name);
          if (!item) throw new Error(`no item ${name}`);
          return (await client.call<{ secret: string }>("POST", `/api/v1/rotations/${run.id}/items/${item.id}/reveal`)).secret;
        };
        const outside = {
          pg_new: await targetsPg.login(agent.role, await secretOf("orders db login")),
          pg_old: await targetsPg.login(agent.role, agent.rolePassword),
          redis_new: await redisLogin(redisHost, redisPort, agent.user, await secretOf("cache login")),
          redis_old: await redisLogin(redisHost, redisPort, agent.user, agent.userPassword),
        };
        if (outside.pg_new !== "ok" || outside.pg_old !== "28P01" || outside.redis_new !== "ok" || outside.redis_old !== "WRONGPASS") {
          throw new Error(`the first run's secrets, checked from outside: ${JSON.stringify(outside)}`);
        }
      }
    }

    // 2. The fleet: every agent's credentials at once.
    const fleet: string[] = [];
    for (let i = 0; i < FLEET_AGENTS; i++) {
      const id = (await registerAgent({ ctx, input: { agentId: `bench-fleet-${tag}-${i}` } })).agent_id;
      fleet.push(id);
      await client.call("POST", "/api/v1/credentials", {
        agent_id: id,
        name: "peer signing",
        kind: "hmac_secret",
        config: { purpose: "messages to other agents" },
      });
      await addDatabaseRole(id, "db login", `bench_fleet_${tag}_${i}`);
      await addRedisUser(id, "cache login", `bench-fleet-${tag}-${i}`);
    }
    const fleetStart = performance.now();
    const runIds: string[] = [];
    for (let i = 0; i < fleet.length; i += START_CONCURRENCY) {
      const batch = fleet.slice(i, i + START_CONCURRENCY);
      runIds.push(...(await Promise.all(batch.map(async (a) => (await client.call<{ id: string }>("POST", "/api/v1/rotations", { agent_id: a })).id))));
    }
    const startedAll = performance.now() - fleetStart;
    const fleetRuns: RotationRunView[] = [];
    for (const id of runIds) fleetRuns.push(await waitForRun(client, id));
    const fleetWall = performance.now() - fleetStart;
    fleetRuns.forEach(requireClean);
    const credentialsRotated = fleetRuns.reduce((n, r) => n + r.items.length, 0);
    const firstCreated = Math.min(...fleetRuns.map((r) => Date.parse(r.created_at)));
    const lastFinished = Math.max(...fleetRuns.map((r) => Date.parse(r.finished_at ?? "")));

    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
          one_agent: {
            credentials: inventorySize,
            runs: ROTATIONS,
            post_to_seen_done_ms: summary(endToEnd),
            run_created_to_finished_ms: summary(serverSide),
            item_first_step_to_record_ms: Object.fromEntries([...perKind].map(([kind, values]) => [kind, summary(values)])),
            checked_from_outside: "new database and Redis passwords log in; old ones get 28P01 and WRONGPASS",
          },
          fleet: {
            agents: FLEET_AGENTS,
            runs: fleetRuns.length,
            credentials: credentialsRotated,
            all_started_ms: Math.round(startedAll),
            first_start_to_last_finish_ms: lastFinished - firstCreated,
            wall_ms: Math.round(fleetWall),
            credentials_per_s: Number((credentialsRotated / ((lastFinished - firstCreated) / 1000)).toFixed(1)),
            run_created_to_finished_ms: summary(fleetRuns.map((r) => ms(r.created_at, r.finished_at))),
          },
        },
        null,
        2,
      ),
    );
  } finally {
    app?.stop();
    for (const m of managers) await m.close();
    redisAdmin.disconnect();
    await targetsRedis.stop();
    await pgAdmin.end();
    await targetsPg.stop();
    await db.close();
    await infra.stop();
  }
}

runBench(main);
