import { randomUUID } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { apiTokenWithCli, registerAgentWithCli, signInAs } from "../support/agents";

/**
 * What in the page's content reaches past the window's right edge or makes it scroll sideways: the
 * whole content, except inside the page's own side-scrolling tables (the agent's recent sessions).
 */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const main = document.querySelector("main");
    if (!main) return ["no main element"];
    const scrolls = (el: Element) => el.closest("table:not(.data-table)") !== null;
    const wide = [...main.querySelectorAll("*")].filter((el) => !scrolls(el) && el.getBoundingClientRect().right > window.innerWidth + 1);
    return [
      main.scrollWidth > main.clientWidth ? `main scrolls: ${main.scrollWidth} > ${main.clientWidth}` : "",
      ...wide.slice(0, 5).map((el) => `${el.tagName}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`),
    ].filter(Boolean);
  });
}

test("before a kill the agent page says what it would stop, and after it the tokens are revoked", async ({ page, request, baseURL }, testInfo) => {
  const billing = registerAgentWithCli("e2e-contain-billing");
  const support = registerAgentWithCli("e2e-contain-support");
  const sessionId = `sess_contain_${randomUUID().slice(0, 8)}`;
  const now = Date.now() / 1000;
  const event = (agentId: string, session: string, i: number, metadata: Record<string, unknown>) => ({
    timestamp: now - 30 + i,
    agent_id: agentId,
    session_id: session,
    action_type: "tool_call",
    action_name: "refund",
    tool_name: "refund",
    input_summary: "order=o-1",
    output_summary: "ok",
    duration_ms: 20,
    event_id: randomUUID(),
    metadata,
  });
  const ingest = async (key: string, events: unknown[]) =>
    expect(
      (
        await request.post("/api/v1/ingest", { headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, data: JSON.stringify(events) })
      ).status(),
    ).toBe(200);
  await ingest(
    support.key,
    [0, 1, 2].map((i) => event(support.agentId, `sess_sup_${randomUUID().slice(0, 8)}`, i, { target_agent: billing.agentId })),
  );
  await ingest(
    billing.key,
    [0, 1].map((i) => event(billing.agentId, sessionId, i, { sender_agent: support.agentId })),
  );

  const admin = apiTokenWithCli("admin");
  const granted = await request.post("/api/v1/capabilities", {
    headers: { authorization: `Bearer ${admin}` },
    data: { source_agent: support.agentId, target_agent: billing.agentId, allowed_actions: ["refund"] },
  });
  expect(granted.status()).toBe(201);
  // Tool tokens are issued only within the agent's policy.
  const policy = await request.put(`/api/v1/agents/${billing.agentId}/policy`, {
    headers: { authorization: `Bearer ${admin}` },
    data: { permissions: [{ tool_name: "refund", allowed_actions: ["write"], resource_scope: ["orders.*"] }] },
  });
  expect(policy.status()).toBe(200);
  const issued = await request.post(`/api/v1/agents/${billing.agentId}/tool-tokens`, {
    headers: { authorization: `Bearer ${billing.key}` },
    data: { tools: ["refund"], permissions: ["write"], ttl_seconds: 900 },
  });
  expect(issued.status()).toBe(201);

  await signInAs(page, "responder");
  await page.goto(`/agents/${billing.agentId}`);
  const killSwitch = page.getByRole("region", { name: "Kill switch" });
  const preview = page.getByRole("region", { name: `What a kill of ${billing.agentId} stops` });
  await preview.getByRole("button", { name: "Check what a kill stops" }).click();
  await expect(preview).toContainText("1 session in flight (an event in the last 15 min)");
  await expect(preview.getByRole("link", { name: sessionId })).toHaveAttribute("href", `/sessions/${sessionId}?agent=${billing.agentId}`);
  await expect(preview).toContainText(/1 tool token, it expires \d\d:\d\d:\d\d UTC \(in 1[45] min\); a kill revokes it at once/);
  await expect(preview.getByRole("list", { name: "Agents that depend on it" })).toContainText(`${support.agentId} depends on it: 3 requests in 24 h.`);
  await expect(page.getByRole("table", { name: "Tool tokens", exact: true })).toContainText("live, expires in 1");

  for (const [width, height] of [
    [1440, 900],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    expect(await overflow(page)).toEqual([]);
    await preview.screenshot({ path: testInfo.outputPath(`kill-preview-${width}.png`) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  await killSwitch.getByRole("button", { name: `Kill ${billing.agentId}` }).click();
  const dialog = page.getByRole("dialog", { name: `Kill ${billing.agentId}?` });
  await dialog.getByLabel("Reason").fill("refunds to unknown accounts");
  await dialog.getByRole("button", { name: `Kill ${billing.agentId}` }).click();
  await expect(killSwitch.getByRole("status").first()).toContainText("refunds to unknown accounts");
  // The open preview is computed again after the kill; closing and opening it computes it once more.
  await expect(preview).toContainText("No live tool tokens. 1 revoked token not yet expired");
  await preview.getByRole("button", { name: "Hide" }).click();
  await preview.getByRole("button", { name: "Check what a kill stops" }).click();
  await expect(preview).toContainText("This agent is killed already");
  await expect(preview).toContainText("No live tool tokens.");
  await expect(page.getByRole("table", { name: "Tool tokens", exact: true })).toContainText("revoked");

  const opened = await page.request.post("/api/v1/incidents", {
    headers: { origin: baseURL ?? "" },
    data: { title: "Refunds to unknown accounts", agent_ids: [billing.agentId] },
  });
  expect(opened.status()).toBe(201);
  const { id } = (await opened.json()) as { id: number };
  await page.goto(`/incidents/${id}`);
  const onIncident = page.getByRole("region", { name: "Containment", exact: true }).getByRole("region", { name: `What a kill of ${billing.agentId} stops` });
  await onIncident.getByRole("button", { name: "Check what a kill stops" }).click();
  await expect(onIncident).toContainText(`${support.agentId} depends on it: 3 requests in 24 h.`);
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await overflow(page)).toEqual([]);
  await onIncident.screenshot({ path: testInfo.outputPath("incident-preview-390.png") });
});
