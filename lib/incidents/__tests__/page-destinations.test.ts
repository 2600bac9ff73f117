import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { POST as pageRoute } from "@/app/api/v1/incidents/[incidentId]/page/route";
import { appDb } from "@/db/client";
import type { Ctx } from "@/lib/context";
import { openIncident, pageEscalationRole, readIncident } from "@/lib/incidents";
import {
  createDestination,
  deleteDestination,
  deliverDueNotifications,
  mapEscalationRole,
  readEscalationRoles,
  unmapEscalationRole,
  updateDestination,
  verifySignature,
} from "@/lib/notify";
import { uploadRunbook } from "@/lib/runbooks/store";
import { bearer, newAgent, userCtx } from "@/scripts/testing/fixtures";

const as = userCtx;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const servers: Server[] = [];

/** A real webhook receiver on loopback answering every request with `status`. */
async function receiver(status = 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(status);
      res.end(status >= 400 ? "nope" : "ok");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hooks/tok-${randomUUID()}`, received };
}

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const HOSTILE_ROLE = `sec <b>on-call</b> & 100% <!channel> ${randomUUID().slice(0, 6)}`;
const HOSTILE_TITLE = `<img src=x onerror=alert(1)> & 50%s %n <!here> "quoted"`;

/** An incident whose runbook names a hostile role (mapped in each test) and one nobody maps. */
async function incidentWithRoles(unmapped: string) {
  const { agentId } = await newAgent({ prefix: "page" });
  const name = `page_${randomUUID().slice(0, 8).replaceAll("-", "")}`;
  const { runbook } = await uploadRunbook({
    ctx: as("admin"),
    input: {
      source: `${name}:
  severity: high
  escalation_path: [${JSON.stringify(HOSTILE_ROLE)}, ${unmapped}]
  immediate_actions:
    - step: "Look at the agent"
`,
    },
  });
  return openIncident({ ctx: as("responder"), input: { title: HOSTILE_TITLE, severity: "critical", agent_ids: [agentId], runbook_id: runbook.id } });
}

async function auditOf(ctx: Ctx) {
  const rows = await appDb().execute<{ action: string; target_type: string; target_id: string; before: unknown; after: Record<string, unknown> | null }>(
    sql`SELECT action, target_type, target_id, before, after FROM audit_log WHERE request_id = ${ctx.requestId} ORDER BY id`,
  );
  return rows.rows;
}

async function deliveriesFor(destinationId: string) {
  const rows = await appDb().execute<{ id: string; event: string | null; status: string; payload: Record<string, unknown> }>(
    sql`SELECT id, event, status, payload FROM notification_deliveries WHERE destination_id = ${destinationId} ORDER BY id`,
  );
  return rows.rows;
}

/** Runs delivery passes until these deliveries are no longer pending (the page's own kick may have sent some already). */
async function settle(ids: number[], passes = 10) {
  for (let i = 0; i < passes; i++) {
    const pending = await appDb().execute(
      sql`SELECT 1 FROM notification_deliveries WHERE id = ANY(${sql.param(ids)}::int8[]) AND status = 'pending' AND next_attempt_at <= now()`,
    );
    if (pending.rows.length === 0) return;
    await deliverDueNotifications(appDb());
  }
}

describe("escalation role → destination mappings", () => {
  it("are an admin's to read, make and remove, each audited; roles below admin are refused", async () => {
    const hook = await receiver();
    const { destination } = await createDestination({
      ctx: as("admin"),
      input: { name: `map-${randomUUID().slice(0, 6)}`, kind: "json", url: hook.url, min_severity: "critical" },
    });
    const role = `map role ${randomUUID().slice(0, 6)}`;
    for (const below of ["viewer", "analyst", "responder"] as const) {
      await expect(mapEscalationRole({ ctx: as(below), input: { role, destination_id: destination.id } })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(readEscalationRoles({ ctx: as(below) })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(unmapEscalationRole({ ctx: as(below), input: { mappingId: randomUUID() } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }

    const admin = as("admin");
    const mapping = await mapEscalationRole({ ctx: admin, input: { role: `  ${role}  `, destination_id: destination.id, reason: "on-call rota" } });
    expect(mapping).toMatchObject({
      role,
      destination_id: destination.id,
      destination_name: destination.name,
      destination_kind: "json",
      destination_enabled: true,
    });
    expect(await auditOf(admin)).toEqual([
      expect.objectContaining({
        action: "notification.escalation_role.map",
        target_type: "escalation_role",
        target_id: role,
        after: expect.objectContaining({ mapping_id: mapping.id, destination_id: destination.id }),
      }),
    ]);
    await expect(mapEscalationRole({ ctx: as("admin"), input: { role, destination_id: destination.id } })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(mapEscalationRole({ ctx: as("admin"), input: { role, destination_id: randomUUID() } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(mapEscalationRole({ ctx: as("admin"), input: { role: "nul\u0000role", destination_id: destination.id } })).rejects.toMatchObject({
      code: "VALIDATION",
      message: expect.stringContaining("NUL"),
    });
    await expect(mapEscalationRole({ ctx: as("admin"), input: { role: "two\nlines", destination_id: destination.id } })).rejects.toMatchObject({
      code: "VALIDATION",
    });

    await incidentWithRoles("cto");
    const listed = await readEscalationRoles({ ctx: as("admin") });
    expect(listed.mappings.filter((m) => m.role === role)).toEqual([mapping]);
    expect(listed.runbook_roles).toEqual(expect.arrayContaining([HOSTILE_ROLE, "cto"]));

    const remover = as("admin");
    expect(await unmapEscalationRole({ ctx: remover, input: { mappingId: mapping.id, reason: "rota changed" } })).toEqual({ id: mapping.id, deleted: true });
    expect(await auditOf(remover)).toEqual([
      expect.objectContaining({
        action: "notification.escalation_role.unmap",
        target_id: role,
        before: expect.objectContaining({ mapping_id: mapping.id, destination_name: destination.name }),
      }),
    ]);
    await expect(unmapEscalationRole({ ctx: as("admin"), input: { mappingId: mapping.id } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await readEscalationRoles({ ctx: as("admin") })).mappings.some((m) => m.id === mapping.id)).toBe(false);
  });
});

describe("paging an escalation role", () => {
  it("queues one delivery per enabled mapped destination and delivers the page, signed, with hostile text kept as data", async () => {
    const json = await receiver();
    const slack = await receiver();
    const off = await receiver();
    const admin = as("admin");
    const jsonDest = await createDestination({
      ctx: admin,
      input: { name: `page-json-${randomUUID().slice(0, 6)}`, kind: "json", url: json.url, min_severity: "critical" },
    });
    const slackDest = await createDestination({
      ctx: admin,
      input: { name: `page-slack-${randomUUID().slice(0, 6)}`, kind: "slack", url: slack.url, min_severity: "low" },
    });
    const offDest = await createDestination({
      ctx: admin,
      input: { name: `page-off-${randomUUID().slice(0, 6)}`, kind: "json", url: off.url, min_severity: "low" },
    });
    await updateDestination({ ctx: admin, input: { destinationId: offDest.destination.id, patch: { enabled: false } } });
    for (const d of [jsonDest, slackDest, offDest]) await mapEscalationRole({ ctx: admin, input: { role: HOSTILE_ROLE, destination_id: d.destination.id } });

    const incident = await incidentWithRoles("cto");
    const before = await readIncident(as("responder"), incident.id);
    expect(before.escalation[0]).toMatchObject({ role: HOSTILE_ROLE, paged_at: null, deliveries: [] });
    expect(before.escalation[0]?.destinations.map((d) => d.name).sort()).toEqual(
      [jsonDest.destination.name, slackDest.destination.name, offDest.destination.name].sort(),
    );

    const responder = as("responder");
    const paged = await pageEscalationRole({ ctx: responder, input: { incidentId: incident.id, body: { role: HOSTILE_ROLE } } });
    expect(paged.page.sent).toBe(true);
    expect(paged.page.deliveries.map((d) => d.destination_id).sort()).toEqual([jsonDest.destination.id, slackDest.destination.id].sort());
    const entry = paged.incident.escalation[0];
    expect(entry).toMatchObject({ role: HOSTILE_ROLE, sent: true, paged_by: expect.stringContaining("user:") });
    expect(entry?.deliveries.map((d) => d.id).sort()).toEqual(paged.page.deliveries.map((d) => d.delivery_id).sort());
    expect(await deliveriesFor(offDest.destination.id)).toEqual([]);

    await settle(paged.page.deliveries.map((d) => d.delivery_id));
    const after = await readIncident(as("analyst"), incident.id);
    expect(after.escalation[0]?.deliveries.map((d) => d.status)).toEqual(["delivered", "delivered"]);

    expect(json.received).toHaveLength(1);
    const got = json.received[0];
    if (!got) throw new Error("the JSON destination received nothing");
    expect(got.headers["x-agentsoc-event"]).toBe("incident.paged");
    const timestamp = got.headers["x-agentsoc-timestamp"];
    const signature = got.headers["x-agentsoc-signature"];
    expect(
      verifySignature({
        signingKey: jsonDest.signing_key ?? "",
        rawBody: got.body,
        timestamp: typeof timestamp === "string" ? timestamp : null,
        signature: typeof signature === "string" ? signature : null,
      }),
    ).toBe(true);
    expect(JSON.parse(got.body)).toEqual({
      event: "incident.paged",
      page: {
        incident_id: incident.id,
        incident_ref: incident.ref,
        title: HOSTILE_TITLE,
        severity: "critical",
        role: HOSTILE_ROLE,
        paged_by: entry?.paged_by,
        paged_at: entry?.paged_at,
        url: expect.stringMatching(new RegExp(`/incidents/${incident.id}$`)),
      },
    });

    expect(slack.received).toHaveLength(1);
    const text = String((JSON.parse(slack.received[0]?.body ?? "{}") as { text?: string }).text);
    expect(text.startsWith(`[PAGE] [CRITICAL] ${incident.ref} · sec &lt;b&gt;on-call&lt;/b&gt; &amp; 100% &lt;!channel&gt;`)).toBe(true);
    expect(text).toContain("&lt;img src=x onerror=alert(1)&gt; &amp; 50%s %n &lt;!here&gt;");
    expect(text).not.toMatch(/<!(channel|here)>|<b>|<img/);
    expect(off.received).toEqual([]);

    const activity = after.activity.find((a) => a.kind === "paged");
    expect(activity?.summary).toBe(`Paged ${HOSTILE_ROLE} through ${[jsonDest.destination.name, slackDest.destination.name].sort().join(", ")}`);
    expect(activity?.detail).toMatchObject({ role: HOSTILE_ROLE, sent: true });
    expect(await auditOf(responder)).toEqual([
      expect.objectContaining({
        action: "incident.paged",
        target_id: incident.ref,
        after: expect.objectContaining({
          role: HOSTILE_ROLE,
          sent: true,
          delivery_ids: expect.arrayContaining(paged.page.deliveries.map((d) => d.delivery_id)),
        }),
      }),
    ]);
    expect((await deliveriesFor(jsonDest.destination.id)).map((d) => d.event)).toEqual(["incident.paged"]);
  });

  it("only records a page to a role without a mapped destination, and says so", async () => {
    const unmapped = `nobody_${randomUUID().slice(0, 8)}`;
    const incident = await incidentWithRoles(unmapped);
    const responder = as("responder");
    const paged = await pageEscalationRole({ ctx: responder, input: { incidentId: incident.id, body: { role: unmapped } } });
    expect(paged.page).toEqual({ sent: false, deliveries: [] });
    const entry = paged.incident.escalation.find((e) => e.role === unmapped);
    expect(entry).toMatchObject({ destinations: [], sent: false, deliveries: [], paged_by: expect.stringContaining("user:") });
    expect(entry?.paged_at).not.toBeNull();
    const count = await appDb().execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM notification_deliveries WHERE payload::text LIKE ${`%${incident.ref}%`}`,
    );
    expect(count.rows[0]?.n).toBe(0);
    expect(paged.incident.activity.find((a) => a.kind === "paged")?.summary).toBe(
      `Marked ${unmapped} paged (no notification destination is mapped to the role)`,
    );
    expect(await auditOf(responder)).toEqual([
      expect.objectContaining({ action: "incident.paged", after: expect.objectContaining({ sent: false, delivery_ids: [] }) }),
    ]);
  });

  it("shows a failed delivery as failed with its reason to analysts, without the reason to viewers, and refuses analysts the page", async () => {
    const broken = await receiver(404);
    const admin = as("admin");
    const dest = await createDestination({
      ctx: admin,
      input: { name: `page-404-${randomUUID().slice(0, 6)}`, kind: "json", url: broken.url, min_severity: "low" },
    });
    const incident = await incidentWithRoles("cto");
    const mapping = await mapEscalationRole({ ctx: admin, input: { role: HOSTILE_ROLE, destination_id: dest.destination.id } });
    await expect(pageEscalationRole({ ctx: as("analyst"), input: { incidentId: incident.id, body: { role: HOSTILE_ROLE } } })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(pageEscalationRole({ ctx: as("responder"), input: { incidentId: incident.id, body: { role: "cto\u0000" } } })).rejects.toMatchObject({
      code: "VALIDATION",
    });

    const paged = await pageEscalationRole({ ctx: as("responder"), input: { incidentId: incident.id, body: { role: HOSTILE_ROLE } } });
    const mine = paged.page.deliveries.filter((d) => d.destination_id === dest.destination.id).map((d) => d.delivery_id);
    expect(mine).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      await appDb().execute(sql`UPDATE notification_deliveries SET next_attempt_at = now() WHERE id = ANY(${sql.param(mine)}::int8[]) AND status = 'pending'`);
      await settle(mine);
    }
    const seen = (await readIncident(as("analyst"), incident.id)).escalation[0]?.deliveries.find((d) => d.destination_id === dest.destination.id);
    expect(seen).toMatchObject({ status: "failed", last_error: expect.stringContaining("404") });
    const viewed = (await readIncident(as("viewer"), incident.id)).escalation[0]?.deliveries.find((d) => d.destination_id === dest.destination.id);
    expect(viewed).toMatchObject({ status: "failed", last_error: null });
    await unmapEscalationRole({ ctx: admin, input: { mappingId: mapping.id } });

    // Removing the destination takes its deliveries with it; the page still reads as sent, never as only recorded.
    await deleteDestination({ ctx: admin, input: { destinationId: dest.destination.id } });
    const gone = (await readIncident(as("analyst"), incident.id)).escalation[0];
    expect(gone?.sent).toBe(true);
    expect(gone?.deliveries.some((d) => d.destination_id === dest.destination.id)).toBe(false);
  });

  it("answers the route with the page's outcome", async () => {
    const incident = await incidentWithRoles("cto");
    const res = await pageRoute(
      new Request(`http://soc.test/api/v1/incidents/${incident.id}/page`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(await bearer("responder")) },
        body: JSON.stringify({ role: "cto" }),
      }),
      { params: Promise.resolve({ incidentId: String(incident.id) }) },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { page: { sent: boolean }; incident: { escalation: { role: string; paged_at: string | null }[] } };
    expect(body.page.sent).toBe(false);
    expect(body.incident.escalation.find((e) => e.role === "cto")?.paged_at).not.toBeNull();
  });
});
