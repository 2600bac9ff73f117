import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { listDeliveries, listDestinations } from "@/db/queries/notifications";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import type { OpenedAlert, Severity } from "@/lib/detect/types";
import {
  createDestination,
  deleteDestination,
  deliverDueNotifications,
  enqueueAlertNotifications,
  kickNotificationDelivery,
  rotateSigningKey,
  runNotificationDelivery,
  sendTestNotification,
  signingKeyFor,
  updateDestination,
  verifySignature,
} from "@/lib/notify";
import { openSealed, sealText } from "@/lib/notify/seal";
import { bearer, testCtx } from "@/scripts/testing/fixtures";
import { testSocSecret } from "@/scripts/testing/infra";

function as(role: Role): Ctx {
  return { ...testCtx(), actor: { type: "api_token", tokenId: randomUUID(), name: `as-${role}`, role } };
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const servers: Server[] = [];

/** A real webhook receiver on loopback, answering each request with the next status in `answers` (the last repeats; null never answers). */
async function receiver(answers: (number | null)[] = [200]) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = answers[Math.min(received.length, answers.length) - 1];
      if (status === null || status === undefined) return;
      res.writeHead(status, status >= 300 && status < 400 ? { location: `http://127.0.0.1:${port}/moved` } : {});
      res.end(status >= 400 ? "nope" : "ok");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  // The path stands in for the token a real webhook URL carries.
  return { url: `http://127.0.0.1:${port}/services/T0001/B0002/tok-${randomUUID()}`, received };
}

async function openAlert(severity: Severity, type: OpenedAlert["type"] = "canary_leak"): Promise<OpenedAlert> {
  const agentId = `notify-${randomUUID().slice(0, 8)}`;
  const result = await appDb().execute<{ id: string; created_at: unknown }>(sql`
    INSERT INTO alerts (agent_id, session_id, type, severity, detail, count)
    VALUES (${agentId}, 's-42', ${type}, ${severity}, 'Canary <CANARY-1> & friends leaked', 1)
    RETURNING id, created_at`);
  const row = result.rows[0];
  if (!row) throw new Error("alert insert returned no row");
  return {
    id: Number(row.id),
    agentId,
    sessionId: "s-42",
    type,
    severity,
    detail: "Canary <CANARY-1> & friends leaked",
    count: 1,
    firstEventId: null,
    firstEventAt: null,
    createdAt: new Date(String(row.created_at)),
  };
}

/** As the ingest pipeline does: inside the transaction that opened the alerts. */
const enqueue = (alerts: OpenedAlert[]) => appDb().transaction((tx) => enqueueAlertNotifications(tx, alerts));

async function deliveriesOf(destinationId: string) {
  const result = await appDb().execute<{
    id: string;
    alert_id: string | null;
    status: string;
    attempts: number;
    last_error: string | null;
    due_in_s: number;
    delivered_at: unknown;
  }>(sql`
    SELECT id, alert_id, status, attempts, last_error, extract(epoch FROM next_attempt_at - now())::float8 AS due_in_s, delivered_at
    FROM notification_deliveries WHERE destination_id = ${destinationId} ORDER BY id`);
  return result.rows;
}

async function attemptsOf(deliveryId: string | number) {
  const result = await appDb().execute<{ attempt: number; status_code: number | null; error: string | null; duration_ms: number }>(
    sql`SELECT attempt, status_code, error, duration_ms FROM notification_attempts WHERE delivery_id = ${deliveryId} ORDER BY attempt`,
  );
  return result.rows;
}

async function auditFor(ctx: Ctx) {
  const rows = await appDb().execute<{ action: string; target_id: string; before: unknown; after: unknown; reason: string | null }>(
    sql`SELECT action, target_id, before, after, reason FROM audit_log WHERE request_id = ${ctx.requestId} ORDER BY id`,
  );
  return rows.rows;
}

const newDestination = (kind: "slack" | "json", url: string, minSeverity: Severity = "low", name = `${kind}-${randomUUID().slice(0, 6)}`) =>
  createDestination({ ctx: as("admin"), input: { name, kind, url, min_severity: minSeverity } });

/** Due retries are made due now in SQL instead of waiting out the back-off. */
const makeDueNow = (destinationId: string) =>
  appDb().execute(sql`UPDATE notification_deliveries SET next_attempt_at = now() WHERE destination_id = ${destinationId} AND status = 'pending'`);

beforeEach(async () => {
  // Each test owns the destinations: alerts fan out to every enabled one.
  await appDb().execute(sql`DELETE FROM notification_destinations`);
});

afterAll(async () => {
  await appDb().execute(sql`DELETE FROM notification_destinations`);
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe("webhook notifications, delivered to a real receiver on loopback", () => {
  it("sends a JSON destination a signed body that verifies with the key shown at creation", async () => {
    const hook = await receiver([200]);
    const created = await newDestination("json", hook.url);
    const id = created.destination.id;
    expect(created.signing_key).toBe(signingKeyFor(testSocSecret(), id, 1));
    const alert = await openAlert("critical");
    expect(await enqueue([alert])).toBe(1);

    const before = Math.floor(Date.now() / 1000);
    expect(await deliverDueNotifications(appDb())).toMatchObject({ claimed: 1, delivered: 1 });
    expect(hook.received).toHaveLength(1);
    const [got] = hook.received;
    if (!got) throw new Error("nothing received");
    expect(got.path).toBe(new URL(hook.url).pathname);
    expect(got.headers["content-type"]).toBe("application/json");
    const timestamp = got.headers["x-agentsoc-timestamp"];
    const signature = got.headers["x-agentsoc-signature"];
    expect(typeof timestamp === "string" && Math.abs(Number(timestamp) - before) <= 5).toBe(true);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    const signed = {
      rawBody: got.body,
      timestamp: typeof timestamp === "string" ? timestamp : null,
      signature: typeof signature === "string" ? signature : null,
    };
    expect(verifySignature({ signingKey: created.signing_key ?? "", ...signed })).toBe(true);
    expect(verifySignature({ signingKey: signingKeyFor(testSocSecret(), id, 2), ...signed })).toBe(false);
    expect(JSON.parse(got.body)).toEqual({
      event: "alert.opened",
      alert: expect.objectContaining({
        id: alert.id,
        agent_id: alert.agentId,
        session_id: "s-42",
        type: "canary_leak",
        severity: "critical",
        detail: "Canary <CANARY-1> & friends leaked",
        url: expect.stringMatching(new RegExp(`/alerts\\?status=&alert=${alert.id}#alert-${alert.id}$`)),
      }),
    });

    const [delivery] = await deliveriesOf(id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1, last_error: null });
    expect(Date.now() - Date.parse(String(delivery?.delivered_at))).toBeLessThan(60_000);
    expect(await attemptsOf(delivery?.id ?? 0)).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, error: null })]);
  });

  it("signs with the new key after a rotation, and a test notification goes through the same outbox", async () => {
    const hook = await receiver([200]);
    const created = await newDestination("json", hook.url);
    const id = created.destination.id;
    await expect(rotateSigningKey({ ctx: as("responder"), input: { destinationId: id } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const ctx = as("admin");
    const rotated = await rotateSigningKey({ ctx, input: { destinationId: id, reason: "key pasted in a ticket" } });
    expect(rotated).toEqual({ destination_id: id, signing_key_version: 2, signing_key: signingKeyFor(testSocSecret(), id, 2) });
    expect(await auditFor(ctx)).toEqual([
      expect.objectContaining({
        action: "notification.destination.rotate_key",
        reason: "key pasted in a ticket",
        before: { signing_key_version: 1 },
        after: { signing_key_version: 2 },
      }),
    ]);
    expect(JSON.stringify(await auditFor(ctx))).not.toContain(rotated.signing_key);

    await expect(sendTestNotification({ ctx: as("analyst"), input: { destinationId: id } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const testCtxAdmin = as("admin");
    const queued = await sendTestNotification({ ctx: testCtxAdmin, input: { destinationId: id } });
    expect(await auditFor(testCtxAdmin)).toEqual([
      expect.objectContaining({ action: "notification.test", target_id: id, after: { delivery_id: queued.delivery_id } }),
    ]);
    await deliverDueNotifications(appDb());
    const [got] = hook.received;
    if (!got) throw new Error("nothing received");
    expect(got.headers["x-agentsoc-event"]).toBe("test");
    const signed = { rawBody: got.body, timestamp: String(got.headers["x-agentsoc-timestamp"]), signature: String(got.headers["x-agentsoc-signature"]) };
    expect(verifySignature({ signingKey: rotated.signing_key, ...signed })).toBe(true);
    expect(verifySignature({ signingKey: created.signing_key ?? "", ...signed })).toBe(false);
    expect(JSON.parse(got.body)).toMatchObject({ event: "test", destination: { id }, requested_by: expect.stringMatching(/^token:as-admin:/) });

    const page = await listDeliveries(appDb(), { destination_id: id });
    expect(page.deliveries).toEqual([expect.objectContaining({ id: queued.delivery_id, event: "test", alert_id: null, status: "delivered", attempts: 1 })]);
  });

  it('sends a Slack destination {"text": ...} with agent text escaped, unsigned, and has no key to rotate', async () => {
    const hook = await receiver([200]);
    const created = await newDestination("slack", hook.url);
    expect(created.signing_key).toBeNull();
    const alert = await openAlert("high");
    await enqueue([alert]);
    await deliverDueNotifications(appDb());
    const [got] = hook.received;
    if (!got) throw new Error("nothing received");
    const body: unknown = JSON.parse(got.body);
    expect(body).toEqual({
      text: expect.stringMatching(/^\[HIGH\] canary_leak · agent notify-[0-9a-f]{8} · session s-42: Canary &lt;CANARY-1&gt; &amp; friends leaked /),
    });
    expect(Object.keys(body as object)).toEqual(["text"]);
    expect(got.headers["x-agentsoc-signature"]).toBeUndefined();
    await expect(rotateSigningKey({ ctx: as("admin"), input: { destinationId: created.destination.id } })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("retries with back-off: 500, 500, then 200 gives three attempt rows and a delivered notification", async () => {
    const hook = await receiver([500, 500, 200]);
    const { destination } = await newDestination("json", hook.url);
    await enqueue([await openAlert("medium")]);

    expect(await deliverDueNotifications(appDb())).toMatchObject({ claimed: 1, retrying: 1 });
    let [delivery] = await deliveriesOf(destination.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, last_error: "HTTP 500" });
    expect(delivery?.due_in_s).toBeGreaterThan(3);
    expect(delivery?.due_in_s).toBeLessThanOrEqual(5);
    // Not due yet: a pass now leaves it alone.
    expect(await deliverDueNotifications(appDb())).toMatchObject({ claimed: 0 });
    expect(hook.received).toHaveLength(1);

    await makeDueNow(destination.id);
    expect(await deliverDueNotifications(appDb())).toMatchObject({ claimed: 1, retrying: 1 });
    [delivery] = await deliveriesOf(destination.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 2, last_error: "HTTP 500" });
    expect(delivery?.due_in_s).toBeGreaterThan(25);
    expect(delivery?.due_in_s).toBeLessThanOrEqual(30);

    await makeDueNow(destination.id);
    expect(await deliverDueNotifications(appDb())).toMatchObject({ claimed: 1, delivered: 1 });
    [delivery] = await deliveriesOf(destination.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, last_error: null });
    expect(hook.received).toHaveLength(3);
    const attempts = await attemptsOf(delivery?.id ?? 0);
    expect(attempts.map((a) => [a.attempt, a.status_code, a.error])).toEqual([
      [1, 500, "HTTP 500"],
      [2, 500, "HTTP 500"],
      [3, 200, null],
    ]);
    expect(attempts.every((a) => a.duration_ms >= 0)).toBe(true);

    const page = await listDeliveries(appDb(), { destination_id: destination.id, status: "delivered" });
    expect(page.deliveries[0]?.attempt_log.map((a) => a.status_code)).toEqual([500, 500, 200]);
    expect((await listDeliveries(appDb(), { destination_id: destination.id, status: "failed" })).deliveries).toEqual([]);
  });

  it("gives up on a receiver that keeps refusing (HTTP 404) after three attempts, and does not follow redirects", async () => {
    const refusing = await receiver([404]);
    const moved = await receiver([302]);
    const a = await newDestination("json", refusing.url);
    const b = await newDestination("slack", moved.url);
    await enqueue([await openAlert("low")]);
    for (let pass = 0; pass < 3; pass++) {
      await deliverDueNotifications(appDb());
      await makeDueNow(a.destination.id);
      await makeDueNow(b.destination.id);
    }
    expect(await deliveriesOf(a.destination.id)).toEqual([expect.objectContaining({ status: "failed", attempts: 3, last_error: "HTTP 404" })]);
    expect(await deliveriesOf(b.destination.id)).toEqual([
      expect.objectContaining({ status: "failed", attempts: 3, last_error: "redirect (HTTP 302) not followed" }),
    ]);
    expect(moved.received.map((r) => r.path)).toEqual(Array(3).fill(new URL(moved.url).pathname));
    expect(await deliverDueNotifications(appDb())).toMatchObject({ claimed: 0 });
  });

  it("records network failures without the URL, which holds a token", async () => {
    const hanging = await receiver([null]);
    // Opened after the hanging one, so that one cannot be given this port once it is free.
    const closedUrl = (await receiver([200])).url;
    const server = servers.at(-1);
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const a = await newDestination("json", closedUrl);
    const b = await newDestination("json", hanging.url);
    await enqueue([await openAlert("critical")]);

    const started = Date.now();
    expect(await deliverDueNotifications(appDb())).toMatchObject({ claimed: 2, retrying: 2 });
    expect(Date.now() - started).toBeLessThan(9_000);
    const [refused] = await deliveriesOf(a.destination.id);
    const [timedOut] = await deliveriesOf(b.destination.id);
    expect(refused?.last_error).toBe("connection refused");
    expect(timedOut?.last_error).toBe("timed out after 5 s");
    const stored = JSON.stringify([refused, timedOut, await attemptsOf(refused?.id ?? 0), await attemptsOf(timedOut?.id ?? 0)]);
    for (const url of [closedUrl, hanging.url]) {
      expect(stored).not.toContain(new URL(url).host);
      expect(stored).not.toContain(new URL(url).pathname);
    }
    expect((await attemptsOf(timedOut?.id ?? 0))[0]?.duration_ms).toBeGreaterThanOrEqual(4_900);
  }, 20_000);

  it("refuses at send time a destination on an address the egress policy does not allow: failed at once with the reason, the receiver never reached", async () => {
    const hook = await receiver([200]);
    const port = new URL(hook.url).port;
    const literal = await newDestination("json", hook.url);
    // Stored before the policy closed: only the send-time check stands between it and loopback.
    const named = await newDestination("slack", hook.url);
    await appDb().execute(
      sql`UPDATE notification_destinations SET url_sealed = ${sealText(`http://localhost:${port}/services/T0001/B0002/tok-named`, testSocSecret())} WHERE id = ${named.destination.id}`,
    );
    await enqueue([await openAlert("critical")]);

    expect(await deliverDueNotifications(appDb(), { allow: [] })).toMatchObject({ claimed: 2, failed: 2, retrying: 0 });
    expect(hook.received).toEqual([]);
    const [refusedLiteral] = await deliveriesOf(literal.destination.id);
    const [refusedName] = await deliveriesOf(named.destination.id);
    expect(refusedLiteral).toMatchObject({ status: "failed", attempts: 1 });
    expect(refusedLiteral?.last_error).toBe(
      "refused to send: 127.0.0.1 is a loopback address (private and special-purpose addresses are reached only when SOC_EGRESS_ALLOW_CIDRS lists them)",
    );
    expect(refusedName).toMatchObject({ status: "failed", attempts: 1 });
    expect(refusedName?.last_error).toMatch(/^refused to send: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(await attemptsOf(refusedName?.id ?? 0)).toEqual([expect.objectContaining({ attempt: 1, status_code: null, error: refusedName?.last_error })]);
    expect(JSON.stringify([refusedLiteral, refusedName])).not.toContain("tok-");
  });

  it("refuses a destination URL on a refused address when it is created or changed, with a 400 naming the field", async () => {
    const collection = await import("@/app/api/v1/notifications/destinations/route");
    const headers = { ...(await bearer("admin")), "content-type": "application/json" };
    const create = (url: string) =>
      collection.POST(
        new Request("http://soc.test/api/v1/notifications/destinations", {
          method: "POST",
          headers,
          body: JSON.stringify({ name: "internal", kind: "json", url, min_severity: "low" }),
        }),
      );
    for (const [url, why] of [
      ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local"],
      ["https://10.0.0.8/hook", "10.0.0.8 is a private (RFC 1918) address"],
      ["http://[::1]:8080/hook", "::1 is a loopback address"],
      ["http://127.0.0.2:8080/hook", "127.0.0.2 is a loopback address"],
      ["http://[::ffff:169.254.169.254]/", "::ffff:a9fe:a9fe is a link-local"],
    ] as const) {
      const res = await create(url);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "VALIDATION", message: expect.stringContaining(`url: ${why}`), errors: [{ path: "url" }] } });
    }
    expect(await listDestinations(appDb())).toEqual([]);

    const hook = await receiver();
    const { destination } = await newDestination("json", hook.url);
    await expect(
      updateDestination({ ctx: as("admin"), input: { destinationId: destination.id, patch: { url: "http://192.168.1.10/hook" } } }),
    ).rejects.toMatchObject({
      code: "VALIDATION",
      message: expect.stringContaining("url: 192.168.1.10 is a private (RFC 1918) address"),
    });
  });

  it("chooses destinations by minimum severity and skips disabled ones", async () => {
    const high = await newDestination("json", (await receiver()).url, "high");
    const all = await newDestination("slack", (await receiver()).url, "low");
    const off = await createDestination({
      ctx: as("admin"),
      input: { name: "off", kind: "json", url: (await receiver()).url, min_severity: "low", enabled: false },
    });

    const medium = await openAlert("medium", "unexpected_tool");
    expect(await enqueue([medium])).toBe(1);
    expect(await deliveriesOf(high.destination.id)).toEqual([]);
    expect(await deliveriesOf(all.destination.id)).toEqual([expect.objectContaining({ alert_id: String(medium.id) })]);

    const [h, c] = [await openAlert("high"), await openAlert("critical")];
    expect(await enqueue([h, c])).toBe(4);
    expect((await deliveriesOf(high.destination.id)).map((d) => Number(d.alert_id))).toEqual([h.id, c.id]);
    expect(await deliveriesOf(off.destination.id)).toEqual([]);
    expect(await enqueue([])).toBe(0);
  });

  it("queues nothing when the transaction that opened the alert rolls back", async () => {
    const { destination } = await newDestination("json", (await receiver()).url);
    const alert = await openAlert("critical");
    await expect(
      appDb().transaction(async (tx) => {
        await enqueueAlertNotifications(tx, [alert]);
        tx.rollback();
      }),
    ).rejects.toThrow();
    expect(await deliveriesOf(destination.id)).toEqual([]);
  });

  it("lets only admins create destinations, audits creation without the URL, and validates the input", async () => {
    const hook = await receiver();
    const input = { name: "SOC channel", kind: "slack", url: hook.url, min_severity: "high" };
    await expect(createDestination({ ctx: as("analyst"), input })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createDestination({ ctx: as("responder"), input })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await listDestinations(appDb())).toEqual([]);

    const ctx = as("admin");
    const created = await createDestination({ ctx, input });
    const audit = await auditFor(ctx);
    const host = new URL(hook.url).host;
    expect(audit).toEqual([
      expect.objectContaining({
        action: "notification.destination.create",
        target_id: created.destination.id,
        after: { name: "SOC channel", kind: "slack", url_hint: `http://${host}`, min_severity: "high", enabled: true },
      }),
    ]);
    expect(JSON.stringify(audit)).not.toContain(new URL(hook.url).pathname);

    for (const bad of [
      { ...input, url: "ftp://example.com/hook" },
      { ...input, url: `https://example.com/${"x".repeat(2050)}` },
      { ...input, kind: "teams" },
      { ...input, min_severity: "urgent" },
      { ...input, name: " " },
      { ...input, surprise: true },
    ]) {
      await expect(createDestination({ ctx: as("admin"), input: bad })).rejects.toMatchObject({ code: "VALIDATION" });
    }
  });

  it("keeps the URL sealed at rest and out of every read", async () => {
    const hook = await receiver();
    const { destination } = await newDestination("slack", hook.url);
    const token = new URL(hook.url).pathname.split("/").at(-1) ?? "";
    const result = await appDb().execute<{ url_sealed: string; url_hint: string }>(
      sql`SELECT url_sealed, url_hint FROM notification_destinations WHERE id = ${destination.id}`,
    );
    const row = result.rows[0];
    expect(row?.url_sealed).toMatch(/^v1\./);
    expect(row?.url_sealed).not.toContain(token);
    expect(row?.url_sealed).not.toContain("127.0.0.1");
    expect(row?.url_hint).toBe(`http://${new URL(hook.url).host}`);
    expect(openSealed(row?.url_sealed ?? "", testSocSecret())).toBe(hook.url);
    expect(JSON.stringify(await listDestinations(appDb()))).not.toContain(token);
    expect(JSON.stringify(await listDeliveries(appDb(), {}))).not.toContain(token);
  });

  it("updates and deletes (admin only, audited); disabling gives up pending deliveries", async () => {
    const hook = await receiver([500]);
    const { destination } = await newDestination("json", hook.url);
    await enqueue([await openAlert("critical")]);
    await expect(updateDestination({ ctx: as("responder"), input: { destinationId: destination.id, patch: { enabled: false } } })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(updateDestination({ ctx: as("admin"), input: { destinationId: destination.id, patch: {} } })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(updateDestination({ ctx: as("admin"), input: { destinationId: destination.id, patch: { kind: "slack" } } })).rejects.toMatchObject({
      code: "VALIDATION",
    });
    await expect(updateDestination({ ctx: as("admin"), input: { destinationId: randomUUID(), patch: { enabled: false } } })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });

    const other = await receiver([200]);
    const ctx = as("admin");
    const updated = await updateDestination({
      ctx,
      input: { destinationId: destination.id, patch: { name: "renamed", min_severity: "critical", enabled: false, url: other.url, reason: "moving channel" } },
    });
    expect(updated).toMatchObject({ name: "renamed", min_severity: "critical", enabled: false, url_hint: `http://${new URL(other.url).host}` });
    expect(updated.changed_action).toBe("notification.destination.update");
    const audit = await auditFor(ctx);
    expect(audit).toEqual([
      expect.objectContaining({
        action: "notification.destination.update",
        reason: "moving channel",
        before: expect.objectContaining({ name: destination.name, enabled: true }),
        after: expect.objectContaining({ name: "renamed", enabled: false, url_changed: true, pending_deliveries_cancelled: 1 }),
      }),
    ]);
    expect(JSON.stringify(audit)).not.toContain(new URL(other.url).pathname);
    expect(await deliveriesOf(destination.id)).toEqual([expect.objectContaining({ status: "failed", last_error: "destination disabled before delivery" })]);
    expect(await deliverDueNotifications(appDb())).toMatchObject({ claimed: 0 });

    await expect(deleteDestination({ ctx: as("analyst"), input: { destinationId: destination.id } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const deleting = as("admin");
    expect(await deleteDestination({ ctx: deleting, input: { destinationId: destination.id, reason: "channel archived" } })).toEqual({
      id: destination.id,
      deleted: true,
    });
    expect(await auditFor(deleting)).toEqual([
      expect.objectContaining({
        action: "notification.destination.delete",
        reason: "channel archived",
        before: expect.objectContaining({ name: "renamed", kind: "json" }),
      }),
    ]);
    expect(await listDestinations(appDb())).toEqual([]);
    await expect(deleteDestination({ ctx: as("admin"), input: { destinationId: destination.id } })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("answers over the API in snake_case, the signing key once and the URL never", async () => {
    const hook = await receiver([200]);
    const collection = await import("@/app/api/v1/notifications/destinations/route");
    const deliveries = await import("@/app/api/v1/notifications/deliveries/route");
    const headers = { ...(await bearer("admin")), "content-type": "application/json" };
    const created = await collection.POST(
      new Request("http://soc.test/api/v1/notifications/destinations", {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "siem", kind: "json", url: hook.url, min_severity: "medium" }),
      }),
    );
    expect(created.status).toBe(201);
    const body = (await created.json()) as { destination: { id: string; url_hint: string; min_severity: string }; signing_key: string };
    expect(body.signing_key).toMatch(/^[0-9a-f]{64}$/);
    expect(body.destination).toMatchObject({ url_hint: `http://${new URL(hook.url).host}`, min_severity: "medium", enabled: true, signing_key_version: 1 });

    const listed = await collection.GET(new Request("http://soc.test/api/v1/notifications/destinations", { headers }));
    const text = await listed.text();
    expect(text).toContain(body.destination.id);
    expect(text).not.toContain(new URL(hook.url).pathname);
    expect(text).not.toContain(body.signing_key);

    const bad = await deliveries.GET(new Request("http://soc.test/api/v1/notifications/deliveries?status=lost", { headers }));
    expect(bad.status).toBe(400);
    const page = await deliveries.GET(
      new Request(`http://soc.test/api/v1/notifications/deliveries?destination_id=${body.destination.id}&limit=5`, { headers }),
    );
    expect(await page.json()).toEqual({ deliveries: [], next_before_id: null });
  });

  it("runs one delivery pass at a time per process: a kick after commit sends at once, and calls during a pass join it", async () => {
    const hook = await receiver([200]);
    const { destination } = await newDestination("slack", hook.url);
    await enqueue([await openAlert("critical")]);
    kickNotificationDelivery();
    const joined = runNotificationDelivery(appDb());
    expect(runNotificationDelivery(appDb())).toBe(joined);
    await joined;
    expect(hook.received).toHaveLength(1);
    expect(await deliveriesOf(destination.id)).toEqual([expect.objectContaining({ status: "delivered", attempts: 1 })]);
  });
});
