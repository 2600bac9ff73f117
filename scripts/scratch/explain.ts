import pg from "pg";
import { createDb } from "@/db/client";
import { registerAgent } from "@/lib/agents";
import { setBaseline } from "@/lib/detect";
import { dayStart, ensureDayPartitions } from "@/lib/ingest/partitions";
import { prepareEventRow } from "@/lib/ingest/prepare-event-rows";
import { insertEventRows } from "@/lib/ingest/insert-event-rows";
import { cliContext } from "../lib/script-context";
import { startTestInfra } from "../testing/infra";
import { benchEvents } from "../bench/bench-events";

async function main() {
  const infra = await startTestInfra("agentsoc_scratch");
  const db = createDb(infra.databaseUrl, 2);
  await ensureDayPartitions(db.db, [dayStart(Date.now() - 600_000), dayStart(Date.now())]);
  for (let i = 0; i < 8; i++) await registerAgent({ ctx: cliContext(db.db), input: { agentId: `bench-agent-${i}` } });
  for (let i = 0; i < 200; i++) await insertEventRows(db.db, benchEvents(`bench-agent-${i % 8}`, 500, i).map(prepareEventRow));
  const name = infra.databaseUrl.split("/").pop();
  const admin = new pg.Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${name}" SET session_preload_libraries = 'auto_explain'`);
  await admin.query(`ALTER DATABASE "${name}" SET auto_explain.log_min_duration = 0`);
  await admin.query(`ALTER DATABASE "${name}" SET auto_explain.log_analyze = on`);
  await admin.query(`ALTER DATABASE "${name}" SET auto_explain.log_buffers = on`);
  await admin.end();
  await db.close();
  const db2 = createDb(infra.databaseUrl, 1);
  for (let i = 200; i < 203; i++) await insertEventRows(db2.db, benchEvents(`bench-agent-${i % 8}`, 500, i).map(prepareEventRow));
  await db2.close();
  console.log(infra.databaseUrl);
  await infra.stop();
}
void main();
