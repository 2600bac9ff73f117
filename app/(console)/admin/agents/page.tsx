import type { Metadata } from "next";
import { Forbidden } from "@/components/forbidden";
import { IngestKeysAdmin } from "@/components/ingest-keys-admin";
import { appDb } from "@/db/client";
import { listAgents } from "@/db/queries/agents";
import { listIngestKeys } from "@/db/queries/ingest-keys";
import { roleAtLeast } from "@/lib/auth/roles";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Ingest keys" };

export default async function IngestKeysPage() {
  const me = await requireUser();
  if (!roleAtLeast(me.role, "admin")) return <Forbidden role={me.role} need="admin" what="manage agents' ingest keys" />;
  const db = appDb();
  const agents = await listAgents(db);
  const withKeys = await Promise.all(agents.map(async (a) => ({ agent_id: a.agent_id, keys: await listIngestKeys(db, a.agent_id) })));
  return (
    <>
      <h1>Agents and ingest keys</h1>
      <p className="subtitle">Register agents, issue and rotate the keys they send logs with. Keys are shown once.</p>
      <IngestKeysAdmin agents={withKeys} />
    </>
  );
}
