import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DELETE as deleteCredential, PATCH as patchCredential } from "@/app/api/v1/credentials/[credentialId]/route";
import { GET as listCredentialsRoute, POST as postCredential } from "@/app/api/v1/credentials/route";
import { GET as incidentFailuresRoute } from "@/app/api/v1/incidents/[incidentId]/rotation-failures/route";
import { POST as resolveRoute } from "@/app/api/v1/rotations/[rotationId]/items/[itemId]/resolve/route";
import { POST as revealRoute } from "@/app/api/v1/rotations/[rotationId]/items/[itemId]/reveal/route";
import { GET as getRotation } from "@/app/api/v1/rotations/[rotationId]/route";
import { POST as postRotation } from "@/app/api/v1/rotations/route";
import { appDb } from "@/db/client";
import { listAudit, parseAuditFilters } from "@/db/queries/audit";
import { getRotationRun } from "@/db/queries/rotations";
import { credentialProviders } from "@/lib/credentials/providers";
import { openIncident } from "@/lib/incidents";
import { DEFAULT_RETRY_POLICY, runDueRotationSteps } from "@/lib/rotation";
import { bearer, newAgent, testCtx } from "@/scripts/testing/fixtures";

const BASE = "http://soc.test/api/v1";
const noParams = { params: Promise.resolve({}) };

function jsonRequest(url: string, method: string, headers: Record<string, string>, body: unknown): Request {
  return new Request(url, { method, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("/api/v1/credentials and /api/v1/rotations over HTTP", () => {
  it("registers a credential (201, the issued secret once), lists it without secrets, and says which field is wrong", async () => {
    const admin = await bearer("admin");
    const { agentId } = await newAgent({ prefix: "rot-http" });

    const created = await postCredential(
      jsonRequest(`${BASE}/credentials`, "POST", admin, { agent_id: agentId, name: "signing", kind: "hmac_secret", config: {} }),
      noParams,
    );
    expect(created.status).toBe(201);
    const { credential, secret } = (await created.json()) as { credential: { id: string }; secret: string };
    expect(secret).toHaveLength(43);

    const listed = await listCredentialsRoute(new Request(`${BASE}/credentials?agent_id=${agentId}`, { headers: await bearer("analyst") }), noParams);
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).not.toContain(secret);
    expect((JSON.parse(text) as { credentials: { name: string }[] }).credentials.map((c) => c.name).sort()).toEqual(["ingest key", "signing"]);

    const bad = await postCredential(
      jsonRequest(`${BASE}/credentials`, "POST", admin, {
        agent_id: agentId,
        name: "db",
        kind: "postgres_role",
        config: { role: "app", host: "db", port: "5432", database: "app" },
      }),
      noParams,
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "VALIDATION", errors: [{ path: "config.port" }] } });

    const duplicate = await postCredential(
      jsonRequest(`${BASE}/credentials`, "POST", admin, { agent_id: agentId, name: "signing", kind: "hmac_secret" }),
      noParams,
    );
    expect(duplicate.status).toBe(409);

    const renamed = await patchCredential(jsonRequest(`${BASE}/credentials/${credential.id}`, "PATCH", admin, { name: "message signing" }), {
      params: Promise.resolve({ credentialId: credential.id }),
    });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ credential: { name: "message signing" } });

    const noReason = await deleteCredential(jsonRequest(`${BASE}/credentials/${credential.id}`, "DELETE", admin, {}), {
      params: Promise.resolve({ credentialId: credential.id }),
    });
    expect(noReason.status).toBe(400);
    const removed = await deleteCredential(jsonRequest(`${BASE}/credentials/${credential.id}`, "DELETE", admin, { reason: "agent no longer signs" }), {
      params: Promise.resolve({ credentialId: credential.id }),
    });
    expect(removed.status).toBe(200);

    // Each change has its audit row, none with the secret.
    const { entries } = await listAudit(appDb(), parseAuditFilters(new URLSearchParams({ target_id: credential.id })));
    expect(entries.map((e) => e.action).sort()).toEqual(["credential.create", "credential.retire", "credential.update"]);
    expect(JSON.stringify(entries)).not.toContain(secret);
    const badId = await patchCredential(jsonRequest(`${BASE}/credentials/nope`, "PATCH", admin, { name: "x" }), {
      params: Promise.resolve({ credentialId: "nope" }),
    });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ error: { message: expect.stringContaining("credential id") } });
  });

  it("reveals a rotated secret once (409 after), and resolves a failure only with a note", async () => {
    const responder = await bearer("responder");
    const { agentId } = await newAgent({ prefix: "rot-http" });
    const started = (await (await postRotation(jsonRequest(`${BASE}/rotations`, "POST", responder, { agent_id: agentId }), noParams)).json()) as { id: string };
    const db = appDb();
    // The route already started this process's worker; passes here make sure the run ends before the reveal.
    const deadline = Date.now() + 10_000;
    while ((await getRotationRun(db, started.id))?.status === "running" && Date.now() < deadline) {
      await runDueRotationSteps({ db, providers: credentialProviders(db, { postgresAdminUrl: null, redisAdminUrl: null }), policy: DEFAULT_RETRY_POLICY });
      await new Promise((r) => setTimeout(r, 25));
    }
    const itemId = (await getRotationRun(db, started.id))?.items[0]?.id ?? "";
    const params = { params: Promise.resolve({ rotationId: started.id, itemId }) };
    const reveal = () => revealRoute(new Request(`${BASE}/rotations/${started.id}/items/${itemId}/reveal`, { method: "POST", headers: responder }), params);

    const first = await reveal();
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(await first.json()).toMatchObject({ name: "ingest key", secret: expect.stringMatching(/^soc_ik_/) });
    expect((await reveal()).status).toBe(409);
    const wrongItem = await revealRoute(new Request(`${BASE}/rotations/${started.id}/items/${randomUUID()}/reveal`, { method: "POST", headers: responder }), {
      params: Promise.resolve({ rotationId: started.id, itemId: randomUUID() }),
    });
    expect(wrongItem.status).toBe(404);

    const noNote = await resolveRoute(jsonRequest(`${BASE}/rotations/${started.id}/items/${itemId}/resolve`, "POST", responder, {}), params);
    expect(noNote.status).toBe(400);
    expect(await noNote.json()).toMatchObject({ error: { errors: [{ path: "note" }] } });
    const notFailed = await resolveRoute(
      jsonRequest(`${BASE}/rotations/${started.id}/items/${itemId}/resolve`, "POST", responder, { note: "done by hand" }),
      params,
    );
    expect(notFailed.status).toBe(409);
  });

  it("starts a rotation (202 {id}) and reads the run with each credential's step, state, attempts and error", async () => {
    const responder = await bearer("responder");
    const { agentId } = await newAgent({ prefix: "rot-http" });
    const started = await postRotation(jsonRequest(`${BASE}/rotations`, "POST", responder, { agent_id: agentId }), noParams);
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };

    const read = await getRotation(new Request(`${BASE}/rotations/${id}`, { headers: await bearer("analyst") }), {
      params: Promise.resolve({ rotationId: id }),
    });
    expect(read.status).toBe(200);
    const { rotation } = (await read.json()) as { rotation: { id: string; items: Record<string, unknown>[] } };
    expect(rotation.id).toBe(id);
    expect(rotation.items[0]).toEqual(
      expect.objectContaining({ kind: "ingest_key", step: expect.any(String), state: expect.any(String), attempts: expect.any(Number), last_error: null }),
    );

    const missing = await getRotation(new Request(`${BASE}/rotations/${randomUUID()}`, { headers: await bearer("analyst") }), {
      params: Promise.resolve({ rotationId: randomUUID() }),
    });
    expect(missing.status).toBe(404);
    const both = await postRotation(jsonRequest(`${BASE}/rotations`, "POST", responder, { agent_id: agentId, credential_ids: [randomUUID()] }), noParams);
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ error: { errors: [{ path: "credential_ids" }] } });
  });
  it("an incident's unresolved rotation failures include runs started on its agents' pages; analyst+, 404 for no such incident", async () => {
    const { agentId } = await newAgent({ prefix: "rot-fail-http" });
    const added = await postCredential(
      jsonRequest(`${BASE}/credentials`, "POST", await bearer("admin"), {
        agent_id: agentId,
        name: "orders db login",
        kind: "postgres_role",
        config: { role: "orders_agent", host: "127.0.0.1", port: 5432, database: "orders" },
      }),
      noParams,
    );
    expect(added.status).toBe(201);
    // Started from the agent's page, not under the incident; without an admin login it fails at once.
    const started = (await (
      await postRotation(jsonRequest(`${BASE}/rotations`, "POST", await bearer("responder"), { agent_id: agentId }), noParams)
    ).json()) as { id: string };
    const db = appDb();
    for (let i = 0; i < 20 && (await getRotationRun(db, started.id))?.status === "running"; i++) {
      await runDueRotationSteps({ db, providers: credentialProviders(db, { postgresAdminUrl: null, redisAdminUrl: null }), policy: DEFAULT_RETRY_POLICY });
    }
    const incident = await openIncident({ ctx: testCtx(), input: { agent_ids: [agentId], title: "orders login in a transcript" } });

    const params = (incidentId: string) => ({ params: Promise.resolve({ incidentId }) });
    const url = `${BASE}/incidents/${incident.id}/rotation-failures`;
    const read = await incidentFailuresRoute(new Request(url, { headers: await bearer("analyst") }), params(String(incident.id)));
    expect(read.status).toBe(200);
    const { failures } = (await read.json()) as { failures: { credential_name: string; rotation_id: string; state: string; last_error: string }[] };
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ credential_name: "orders db login", rotation_id: started.id, state: "failed" });
    expect(failures[0]?.last_error).toContain("SOC_ROTATION_PG_ADMIN_URL");

    expect((await incidentFailuresRoute(new Request(url, { headers: await bearer("viewer") }), params(String(incident.id)))).status).toBe(403);
    expect((await incidentFailuresRoute(new Request(url, { headers: await bearer("analyst") }), params("999999999"))).status).toBe(404);
    const bad = await incidentFailuresRoute(new Request(url, { headers: await bearer("analyst") }), params("INC-1"));
    expect(bad.status).toBe(400);
  });
});
