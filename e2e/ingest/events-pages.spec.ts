import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { registerAgentWithCli, signInAs } from "../support/agents";

test.beforeEach(async ({ page }) => {
  await signInAs(page, "viewer");
});

test("events sent to the ingest API appear on the Events, Session and Agents pages, rendered as text", async ({ page, request }) => {
  const { agentId, key } = registerAgentWithCli("e2e-agent");
  const sessionId = `sess_e2e_${randomUUID().slice(0, 8)}`;
  const t0 = Date.now() / 1000 - 60;
  const xss = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>`;
  const events = [
    { action_type: "decision", action_name: "plan", input_summary: "user asked for a refund", output_summary: "plan: lookup", tool_name: null },
    {
      action_type: "tool_call",
      action_name: "customer_lookup",
      input_summary: "email jane.roe@example.com",
      output_summary: xss,
      tool_name: "customer_lookup",
    },
    {
      action_type: "llm_call",
      action_name: "claude-sonnet",
      input_summary: "tokens=900",
      output_summary: "tokens=120",
      tool_name: null,
      cost_usd: 0.0042,
      token_count: 1020,
    },
  ].map((e, i) => ({
    ...e,
    timestamp: t0 + i * 2,
    agent_id: agentId,
    session_id: sessionId,
    duration_ms: 100 + i,
    action_sequence: i + 1,
    event_id: randomUUID(),
  }));

  const res = await request.post("/api/v1/ingest", {
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    data: JSON.stringify(events),
  });
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });

  let dialogs = 0;
  page.on("dialog", (d) => {
    dialogs += 1;
    void d.dismiss();
  });

  await page.goto(`/events?agent_id=${agentId}`);
  const table = page.getByRole("table", { name: "Events" });
  await expect(table.getByRole("row")).toHaveCount(4);
  await expect(table.getByText(xss)).toBeVisible();
  await expect(table.getByText("email [EMAIL_REDACTED]")).toBeVisible();
  await expect(table.getByText("redacted: email×1")).toBeVisible();
  await expect(page.getByText("jane.roe@example.com")).toHaveCount(0);

  await page.getByLabel("Action type").selectOption("llm_call");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/action_type=llm_call/);
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table.getByText("$0.0042")).toBeVisible();

  await table.getByRole("link", { name: sessionId }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${sessionId}$`));
  await expect(page.getByRole("heading", { name: `Session ${sessionId}` })).toBeVisible();
  const sessionRows = page.getByRole("table", { name: "Session events" }).getByRole("row");
  await expect(sessionRows).toHaveCount(4);
  await expect(sessionRows.nth(1)).toContainText("plan");
  await expect(sessionRows.nth(2)).toContainText("customer_lookup");
  await expect(sessionRows.nth(3)).toContainText("claude-sonnet");
  await expect(sessionRows.nth(3)).toContainText("4.0");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents", exact: true }).click();
  const agentRow = page.getByRole("table", { name: "Agents" }).getByRole("row").filter({ hasText: agentId });
  await expect(agentRow.getByRole("cell").nth(2)).toHaveText("3");

  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toBe(0);
});

test("a bad filter is explained on the page instead of failing it", async ({ page }) => {
  await page.goto("/events?since=yesterday-ish");
  await expect(page.getByRole("alert").filter({ hasText: "Invalid query" })).toContainText("since: expected ISO 8601 time or epoch seconds");
});

test("the events explorer pages back through older events, and a shared session names each row's agent", async ({ page, request }) => {
  const first = registerAgentWithCli("e2e-pager");
  const second = registerAgentWithCli("e2e-peer");
  const sessionId = `sess_e2e_shared_${randomUUID().slice(0, 8)}`;
  const t0 = Date.now() / 1000 - 600;
  const event = (agentId: string, i: number) => ({
    timestamp: t0 + i,
    agent_id: agentId,
    session_id: sessionId,
    action_type: "tool_call",
    action_name: "kb_search",
    tool_name: "kb_search",
    input_summary: `query ${i}`,
    output_summary: "ok",
    duration_ms: 5,
    event_id: randomUUID(),
  });
  for (const [agent, events] of [
    [first, Array.from({ length: 120 }, (_, i) => event(first.agentId, i))],
    [second, [event(second.agentId, 500)]],
  ] as const) {
    const res = await request.post("/api/v1/ingest", {
      headers: { authorization: `Bearer ${agent.key}`, "content-type": "application/json" },
      data: JSON.stringify(events),
    });
    expect(res.status()).toBe(200);
  }

  await page.goto(`/events?agent_id=${first.agentId}`);
  const rows = page.getByRole("table", { name: "Events" }).getByRole("row");
  await expect(rows).toHaveCount(101);
  await page.getByRole("button", { name: "Load older events" }).click();
  await expect(rows).toHaveCount(121);
  await expect(page.getByRole("button", { name: "Load older events" })).toHaveCount(0);
  await expect(rows.last()).toContainText("query 0");

  await page.goto(`/sessions/${sessionId}`);
  await expect(page.getByRole("status").filter({ hasText: "2 agents wrote events" })).toBeVisible();
  const sessionTable = page.getByRole("table", { name: "Session events" });
  await expect(sessionTable.getByRole("columnheader", { name: "Agent" })).toBeVisible();
  await expect(sessionTable.getByRole("row").last()).toContainText(second.agentId);
});
