import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import Redis from "ioredis";
import { appConnection, appRoleSpec } from "@/db/app-role";
import { createDb } from "@/db/client";
import { listAgents } from "@/db/queries/agents";
import { listIngestKeys } from "@/db/queries/ingest-keys";
import { registerAgent, setKeyAgents } from "@/lib/agents";
import { verifyAuditChain } from "@/lib/audit";
import { createApiToken, createUser, parseExpiryDays } from "@/lib/auth";
import { launcherEnv, retentionDaysSchema, socSecret } from "@/lib/env";
import { AppError, describeError } from "@/lib/errors";
import { deriveEvidenceKey, evidencePublicKey, parsePublicKeyPem } from "@/lib/forensics/evidence/signing-key";
import { verifySnapshot } from "@/lib/forensics/evidence/verify-snapshot";
import { maintainPartitions } from "@/lib/ingest";
import { killAgent, killAll, liftAll, reviveAgent } from "@/lib/killswitch";
import { migrateDatabase } from "@/lib/migrate-database";
import { startRotation } from "@/lib/rotation";
import { loadDemo } from "./demo/load-demo";
import { resolveDatabase } from "./lib/resolve-database";
import { cliContext } from "./lib/script-context";
import { jsonLine, shown, terminalSafe } from "./lib/terminal-text";
import { waitForRotation } from "./lib/wait-for-rotation";

const USAGE = `AgentSOC operator CLI: npm run soc -- <command>

  migrate                                  apply database migrations, create upcoming event partitions, and set up
                                           the console's least-privilege role (<database>_app, or SOC_APP_DATABASE_URL's)
  agent add <agent_id> [--name <display name>] [--rate-limit <events/min>] [--json]
                                           register an agent and print its ingest key (shown once)
  agent list [--json]                      registered agents, last seen, events in the last 24 h
  key list <agent_id> [--json]             the agent's ingest keys (id, prefix, state) and the agents each speaks for
  key speaks-for <agent_id> <key_id> --agents <id,id,...> [--reason <why>] [--json]
                                           let the key also speak for these registered agents (replaces the set;
                                           --agents "" leaves it its own agent only)
  user add --email <e> --role <role> [--password-stdin] [--json]
                                           add a console user; without --password-stdin a one-time password is printed
  token add --name <n> --role <role> [--expires 30d] [--json]
                                           create an API token for automation (shown once)
  audit verify                             walk the audit log's hash chain; exit 1 naming the first altered or removed row
  kill <agent_id> --reason <why>           stop one agent (Redis kill switch + record)
  revive <agent_id> --reason <why>         let a killed agent act again
  kill-all --reason <why>                  stop every agent (global kill switch)
  lift-all --reason <why>                  lift the global kill switch
  rotate <agent_id> [--incident <n>] [--wait] [--json]
                                           rotate every credential of the agent; the running console performs the
                                           run. --wait prints each credential's outcome and exits 1 if any failed
  retention [--days <n>]                   drop event partitions older than the retention window (SOC_RETENTION_DAYS,
                                           never below the floor the last migration set); --days <n> below that
                                           floor needs the owner's login and is audited as events.retention_below_floor
  demo [--url <console url>]               load demo traffic through the running console's ingest API
  snapshot verify <file.ndjson> <manifest.json> [--public-key <file.pem>] [--json]
                                           check an evidence snapshot offline (hash and Ed25519 signature); exit 1
                                           naming what fails. Default key: the one derived from SOC_SECRET
  snapshot pubkey [--json]                 print the console's evidence signing public key (PEM) to pin; key id on stderr

The snapshot commands need no database. Database: DATABASE_URL, else the running launcher's embedded server, else the embedded server is started.`;

/** The password is piped in, never an argument: arguments show up in `ps` and shell history. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

function readInput(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = err instanceof Error && "code" in err ? ` (${String(err.code)})` : "";
    throw new AppError("VALIDATION", `Cannot read ${what} ${file}${code}`);
  }
}

/** Offline on purpose: a snapshot is checked with its two files and a public key, never the database. */
function snapshotCommand(sub: string | undefined, files: string[], opts: { publicKey: string | undefined; json: boolean }): number {
  if (sub === "pubkey" && files.length === 0) {
    const key = evidencePublicKey();
    if (opts.json) console.log(jsonLine(key));
    else {
      process.stdout.write(key.public_key_pem);
      console.error(`key id: ${key.public_key_id} (${key.algorithm})`);
    }
    return 0;
  }
  const [ndjsonFile, manifestFile] = files;
  if (sub !== "verify" || !ndjsonFile || !manifestFile || files.length !== 2) {
    console.error(`usage: npm run soc -- snapshot verify <file.ndjson> <manifest.json> [--public-key <file.pem>]\n       npm run soc -- snapshot pubkey`);
    return 2;
  }
  const secret = opts.publicKey ? null : socSecret();
  if (!opts.publicKey && !secret) {
    throw new AppError(
      "UNAVAILABLE",
      "No key to verify with: set SOC_SECRET to the console's secret, or pass --public-key <file.pem> as printed by `snapshot pubkey`",
    );
  }
  const publicKey = opts.publicKey
    ? parsePublicKeyPem(readInput(opts.publicKey, "the public key file").toString("utf8"), opts.publicKey)
    : deriveEvidenceKey(secret ?? "").publicKey;
  const result = verifySnapshot({ ndjson: readInput(ndjsonFile, "the NDJSON file"), manifest: readInput(manifestFile, "the manifest file"), publicKey });
  if (!result.ok) {
    if (opts.json) console.log(jsonLine({ ok: false, failure: result.failure, reason: result.reason }));
    console.error(shown`snapshot INVALID: ${result.reason}`);
    return 1;
  }
  const m = result.manifest;
  if (opts.json) {
    console.log(jsonLine({ ok: true, public_key_id: result.publicKeyId, manifest: m }));
    return 0;
  }
  const by =
    m.taken_by.type === "user" ? m.taken_by.email : m.taken_by.type === "api_token" ? `token ${m.taken_by.name}` : `${m.taken_by.type}:${m.taken_by.id}`;
  console.log(
    [
      shown`snapshot valid: ${m.snapshot_id}`,
      shown`  session   ${m.session_id}, agent ${m.agent_id}`,
      shown`  holds     ${plural(m.event_count, "event")} (${m.start_time} to ${m.end_time}), ${plural(m.finding_count, "finding")}, ${plural(m.alert_count, "alert")}`,
      shown`  ndjson    ${m.ndjson_bytes} bytes, sha256 ${m.ndjson_sha256}`,
      shown`  taken     ${m.taken_at} by ${by}`,
      shown`  signed    ${m.signature_algorithm}, key ${result.publicKeyId}`,
    ].join("\n"),
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      name: { type: "string" },
      "rate-limit": { type: "string" },
      days: { type: "string" },
      email: { type: "string" },
      role: { type: "string" },
      expires: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      url: { type: "string" },
      reason: { type: "string" },
      agents: { type: "string" },
      "public-key": { type: "string" },
      incident: { type: "string" },
      wait: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }

  if (command === "snapshot") return snapshotCommand(sub, positionals.slice(2), { publicKey: values["public-key"], json: values.json });

  const config = launcherEnv();
  const database = await resolveDatabase();
  const handle = createDb(database.url, 2);
  const ctx = cliContext(handle.db);
  try {
    switch (command) {
      case "migrate": {
        const appRole = await migrateDatabase(handle.db, {
          retentionDays: config.SOC_RETENTION_DAYS,
          appRole: appRoleSpec(config.SOC_APP_DATABASE_URL, socSecret()),
        });
        console.error("migrations applied");
        const app = appConnection(database.url, appRole, config.SOC_APP_DATABASE_URL);
        console.error(app.warning ? shown`WARNING: ${app.warning}` : shown`the console's role ${appRole.role} has its privileges`);
        return 0;
      }
      case "agent": {
        if (sub === "add" && arg) {
          const rateLimit = values["rate-limit"] === undefined ? undefined : Number(values["rate-limit"]);
          const registered = await registerAgent({
            ctx,
            input: { agentId: arg, displayName: values.name, ingestRateLimitPerMin: rateLimit },
          });
          if (values.json) {
            console.log(jsonLine(registered));
          } else {
            console.log(shown`Registered agent ${registered.agent_id}.`);
            console.log(`Ingest key (shown once, store it in the agent's secret store):\n${registered.ingest_key}`);
          }
          return 0;
        }
        if (sub === "list") {
          const agents = await listAgents(handle.db);
          if (values.json) console.log(jsonLine({ agents }));
          else for (const a of agents) console.log(shown`${a.agent_id}\tlast seen ${a.last_seen_at ?? "never"}\t${a.events_24h} events in 24 h`);
          return 0;
        }
        break;
      }
      case "key": {
        if (sub === "list" && arg) {
          const keys = await listIngestKeys(handle.db, arg);
          if (values.json) console.log(jsonLine({ agent_id: arg, keys }));
          else
            for (const k of keys)
              console.log(shown`${k.id}\t${k.prefix}…\t${k.revoked_at ? `revoked ${k.revoked_at}` : "live"}\tspeaks for ${[arg, ...k.speaks_for].join(", ")}`);
          return 0;
        }
        const keyId = positionals[3];
        if (sub === "speaks-for" && arg && keyId && values.agents !== undefined) {
          const speaksFor = values.agents
            .split(",")
            .map((id) => id.trim())
            .filter(Boolean);
          const result = await setKeyAgents({ ctx, input: { agentId: arg, keyId, speaksFor, reason: values.reason } });
          console.log(values.json ? jsonLine(result) : shown`Key ${result.key_id} speaks for ${[arg, ...result.speaks_for].join(", ")}.`);
          return 0;
        }
        break;
      }
      case "user": {
        if (sub !== "add") break;
        const password = values["password-stdin"] ? await readPasswordFromStdin() : undefined;
        const created = await createUser({ ctx, input: { email: values.email, role: values.role, password } });
        if (values.json) console.log(jsonLine(created));
        else {
          console.log(shown`Added ${created.email} as ${created.role}.`);
          if (created.one_time_password) console.log(`One-time password (shown once): ${created.one_time_password}`);
        }
        return 0;
      }
      case "token": {
        if (sub !== "add") break;
        const expiresInDays = values.expires === undefined ? undefined : parseExpiryDays(values.expires);
        if (expiresInDays === null) throw new AppError("VALIDATION", `--expires must look like 30d or 90, got "${values.expires}"`);
        const token = await createApiToken({ ctx, input: { name: values.name, role: values.role, expiresInDays } });
        if (values.json) console.log(jsonLine({ token: token.token, id: token.id, role: token.role, expires_at: token.expires_at }));
        else console.log(shown`API token ${token.name} (${token.role}), shown once:\n${token.token}`);
        return 0;
      }
      case "audit": {
        if (sub !== "verify") break;
        const report = await verifyAuditChain(handle.db);
        if (report.problem) {
          console.error(shown`audit chain BROKEN at row ${report.problem.id}: ${report.problem.message}`);
          return 1;
        }
        console.log(shown`audit chain intact: ${report.rowsChecked} rows`);
        return 0;
      }
      case "kill":
      case "revive":
      case "kill-all":
      case "lift-all": {
        const redisUrl = config.REDIS_URL ?? "redis://127.0.0.1:6379";
        const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
        redis.on("error", () => undefined);
        try {
          await redis.connect().catch(() => undefined);
          const settings = { redis };
          const reason = values.reason;
          const result =
            command === "kill" || command === "revive"
              ? await (command === "kill" ? killAgent : reviveAgent)({ ctx, settings, input: { agentId: sub ?? "", reason } })
              : await (command === "kill-all" ? killAll : liftAll)({ ctx, settings, input: { reason } });
          console.log(values.json ? jsonLine(result) : `${command}: done (${jsonLine(result)})`);
          return 0;
        } finally {
          redis.disconnect();
        }
      }
      case "rotate": {
        const incidentId = values.incident === undefined ? undefined : Number(values.incident);
        const started = await startRotation({ ctx, input: { agent_id: sub ?? "", ...(incidentId === undefined ? {} : { incident_id: incidentId }) } });
        if (!values.wait) {
          console.log(
            values.json
              ? jsonLine(started)
              : shown`rotation ${started.id} ${started.existing ? "already running" : "started"}; the console performs it: /rotations/${started.id}`,
          );
          return 0;
        }
        const run = await waitForRotation(handle.db, started.id, (line) => !values.json && console.log(terminalSafe(line)));
        if (values.json) console.log(jsonLine(run));
        else console.log(shown`rotation ${run.id} ${run.status}: ${run.counts.rotated} rotated, ${run.counts.failed} failed`);
        return run.status === "succeeded" ? 0 : 1;
      }
      case "retention": {
        const days = values.days === undefined ? config.SOC_RETENTION_DAYS : retentionDaysSchema.safeParse(values.days).data;
        if (days === undefined) throw new AppError("VALIDATION", `--days must be a whole number from 1 to 3650, got "${values.days}"`);
        // --days is the operator's explicit word: with the owner's login it may go below the floor of the last migration.
        const result = await maintainPartitions(ctx, { nowMs: Date.now(), retentionDays: days, belowFloor: values.days !== undefined });
        if (result.retentionDays > days) {
          console.error(`kept ${result.retentionDays} days, the retention floor set at the last migration; --days <n> goes below it`);
        }
        console.log(
          result.droppedPartitions.length || result.deletedSessions
            ? shown`dropped ${result.droppedPartitions.join(", ") || "no partition"}; deleted ${result.deletedSessions} session rollups`
            : shown`nothing older than ${result.retentionDays} days`,
        );
        return 0;
      }
      case "demo": {
        const url = values.url ?? `http://127.0.0.1:${config.PORT}`;
        const summary = await loadDemo(ctx, url);
        console.log(summary);
        return 0;
      }
    }
    console.error(`${shown`unknown command: ${positionals.join(" ")}`}\n\n${USAGE}`);
    return 2;
  } finally {
    await handle.close();
    await database.release();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(terminalSafe(err instanceof AppError ? `${err.code}: ${err.message}` : describeError(err)));
    process.exit(1);
  },
);
