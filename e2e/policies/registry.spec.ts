import { mkdirSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { e2eEnv } from "../../lib/env";
import { apiTokenWithCli, registerAgentWithCli, signInAs } from "../support/agents";

const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const HOSTILE_ACTION = '<img src=x onerror="window.__pwned=1">%00$(id)';

async function noHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${scrollWidth} px wide in ${innerWidth}`).toBeLessThanOrEqual(innerWidth);
}

test("an admin grants on the Policies page, sees the grant in the table and the graph, and revokes it with a reason", async ({ page, request }) => {
  test.setTimeout(120_000);
  const source = registerAgentWithCli("e2e-registry-src");
  const target = registerAgentWithCli("e2e-registry-dst");
  const admin = apiTokenWithCli("admin");
  const policy = await request.put(`/api/v1/agents/${encodeURIComponent(source.agentId)}/policy`, {
    headers: { authorization: `Bearer ${admin}` },
    data: {
      role: "orchestrator",
      permissions: [{ tool_name: "ticket_management", allowed_actions: ["read", "write"], resource_scope: ["tickets.*"], rate_limit: 20 }],
      allowed_ip_ranges: ["10.0.0.0/8"],
    },
  });
  expect(policy.status()).toBe(200);
  // Two grants made through the API, so the graph has a third agent and an expired (dashed) arrow.
  const third = registerAgentWithCli("e2e-registry-third");
  for (const data of [
    { source_agent: target.agentId, target_agent: third.agentId, allowed_actions: ["send_notification"], max_requests_per_minute: 5 },
    { source_agent: third.agentId, target_agent: source.agentId, allowed_actions: ["report_status"], expires_at: Math.floor(Date.now() / 1000) - 60 },
  ]) {
    expect((await request.post("/api/v1/capabilities", { headers: { authorization: `Bearer ${admin}` }, data })).status()).toBe(201);
  }

  await signInAs(page, "admin");
  await page.setViewportSize(DESK);
  await page.goto("/alerts");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policies" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Policies" })).toBeVisible();

  const policies = page.getByRole("table", { name: "Agent policies" });
  const sourceRow = policies.getByRole("row").filter({ hasText: source.agentId });
  await expect(sourceRow).toContainText("ticket_management: read, write on tickets.*");
  await expect(sourceRow).toContainText("from 10.0.0.0/8");
  await expect(page.getByText(/Without a policy \(\d+; their tool calls are not judged against one\)/)).toContainText(target.agentId);

  const form = page.getByRole("form", { name: "Grant a capability" });
  // The server's own schema, in the browser: an agent cannot be granted itself; nothing is sent.
  await form.getByLabel("May ask (source)").fill(source.agentId);
  await form.getByLabel("Asks (target)").fill(source.agentId);
  await form.getByLabel("For actions").fill("query_sales");
  await form.getByRole("button", { name: "Grant" }).click();
  await expect(form.getByLabel("Asks (target)")).toHaveAccessibleDescription(/an agent needs no grant to ask itself/);

  await form.getByLabel("Asks (target)").fill(target.agentId);
  await form.getByLabel("For actions").fill(`query_sales, ${HOSTILE_ACTION}`);
  await form.getByLabel("Requests / min").fill("20");
  await form.getByRole("button", { name: "Grant" }).click();
  const grants = page.getByRole("table", { name: "Capability grants" });
  const grantRow = grants.getByRole("row").filter({ hasText: source.agentId }).filter({ hasText: target.agentId });
  await expect(grantRow).toContainText("20/min");
  await expect(grantRow).toContainText(HOSTILE_ACTION);
  await expect(grantRow).toContainText("never");
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  const graph = page.getByRole("img", { name: /Who may ask whom/ });
  await expect(graph).toBeVisible();
  await expect(graph).toHaveAccessibleName(new RegExp(`${source.agentId} may ask ${target.agentId} for .*query_sales, at most 20 a minute`));
  await expect(graph.locator("text").filter({ hasText: "· 20/min" }).first()).toBeVisible();
  await expect(graph.locator("path.graph-edge.expired").first()).toHaveAttribute("stroke-dasharray", "6 5");
  await noHorizontalScroll(page);
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);

  const shots = e2eEnv().AGENTSOC_SCREENSHOTS_DIR;
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, "policies-desk.png") });
    await page.screenshot({ path: path.join(shots, "policies-desk-full.png"), fullPage: true });
  }
  await page.setViewportSize(PHONE);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Policies" })).toBeVisible();
  await noHorizontalScroll(page);
  if (shots) {
    await page.screenshot({ path: path.join(shots, "policies-phone.png") });
    await page.screenshot({ path: path.join(shots, "policies-phone-full.png"), fullPage: true });
  }
  await page.setViewportSize(DESK);

  await grantRow.getByRole("button", { name: `Revoke ${source.agentId} → ${target.agentId}` }).click();
  const dialog = page.getByRole("dialog", { name: `Revoke ${source.agentId} → ${target.agentId}?` });
  await dialog.getByLabel("Reason").fill("reports moved to the warehouse agent");
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(dialog).toBeHidden();
  await expect(grantRow).toHaveCount(0);

  const revoked = await request.get(`/api/v1/capabilities?agent_id=${encodeURIComponent(source.agentId)}&include_revoked=true`, {
    headers: { authorization: `Bearer ${admin}` },
  });
  const body = (await revoked.json()) as {
    capabilities: { source_agent: string; target_agent: string; revoke_reason: string | null; revoked_by: string | null }[];
  };
  const mine = body.capabilities.filter((g) => g.source_agent === source.agentId && g.target_agent === target.agentId);
  expect(mine.map((g) => g.revoke_reason)).toEqual(["reports moved to the warehouse agent"]);
  expect(mine[0]?.revoked_by).toMatch(/^user:/);
});

test("a viewer reads the Policies page but is offered no grant form and no revoke", async ({ page, request }) => {
  const source = registerAgentWithCli("e2e-registry-view-src");
  const target = registerAgentWithCli("e2e-registry-view-dst");
  const admin = apiTokenWithCli("admin");
  const granted = await request.post("/api/v1/capabilities", {
    headers: { authorization: `Bearer ${admin}` },
    data: { source_agent: source.agentId, target_agent: target.agentId, allowed_actions: ["generate_report"], expires_at: Math.floor(Date.now() / 1000) - 60 },
  });
  expect(granted.status()).toBe(201);
  await signInAs(page, "viewer");
  await page.goto("/policies");
  const grantRow = page.getByRole("table", { name: "Capability grants" }).getByRole("row").filter({ hasText: source.agentId });
  await expect(grantRow).toContainText("expired");
  await expect(
    page.getByRole("img", { name: new RegExp(`${source.agentId} may ask ${target.agentId} for generate_report, at most 10 a minute \\(expired\\)`) }),
  ).toBeVisible();
  await expect(page.getByRole("form", { name: "Grant a capability" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Revoke/ })).toHaveCount(0);
});
