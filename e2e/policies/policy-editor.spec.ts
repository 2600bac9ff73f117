import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { apiTokenWithCli, registerAgentWithCli, signInAs } from "../support/agents";

const HOSTILE_TOOL = '<img src=x onerror="window.__pwned=1">%00$(id)';

test("an admin sets an agent's policy on its page, a call outside it raises an alert, and removing it asks for a reason", async ({ page, request }) => {
  // Five page loads and an ingest: past the 30 s default on a busy machine.
  test.setTimeout(90_000);
  await signInAs(page, "admin");
  const { agentId, key } = registerAgentWithCli("e2e-policy");
  await page.goto(`/agents/${encodeURIComponent(agentId)}`);
  const section = page.getByRole("region", { name: "Security policy" });
  await expect(section.getByText(/No policy: this agent's tool calls are not judged/)).toBeVisible();

  const editor = section.getByLabel(/Policy \(JSON/);
  // A NUL in a tool name is refused by the server's own schema in the browser, which names the field on the editor; nothing is saved.
  await editor.fill(JSON.stringify({ permissions: [{ tool_name: "kb\u0000search", allowed_actions: ["read"], resource_scope: [] }] }));
  await section.getByRole("button", { name: "Save policy" }).click();
  await expect(section.getByRole("alert")).toContainText("Some fields need a change");
  await expect(editor).toHaveAccessibleDescription(/permissions\.0\.tool_name/);
  await editor.fill("{ not json");
  await section.getByRole("button", { name: "Save policy" }).click();
  await expect(editor).toHaveAccessibleDescription("The policy is not valid JSON");
  await expect(section.getByText(/No policy: this agent's tool calls are not judged/)).toBeVisible();

  await editor.fill(
    JSON.stringify({
      role: "customer_support",
      permissions: [
        { tool_name: "customer_lookup", allowed_actions: ["read"], resource_scope: ["customers.email"], rate_limit: 30, max_data_rows: 10 },
        { tool_name: HOSTILE_TOOL, allowed_actions: ["read", "write"], resource_scope: ["tickets.*"] },
      ],
      max_session_duration_seconds: 1800,
    }),
  );
  await section.getByRole("button", { name: "Save policy" }).click();
  const table = section.getByRole("table", { name: "Tool permissions" });
  await expect(table.getByRole("row").filter({ hasText: "customer_lookup" })).toContainText("customers.email");
  // Markup in a tool name is shown as text, never run.
  await expect(table.getByRole("cell", { name: HOSTILE_TOOL, exact: true })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(section.getByText(/Version 1, set by/)).toBeVisible();
  await expect(section.getByRole("list", { name: "Policy versions" })).toContainText(`: + ${HOSTILE_TOOL}; + customer_lookup`);

  const sessionId = `sess_policy_${randomUUID().slice(0, 8)}`;
  const call = (session: string, permission: string) => ({
    timestamp: Date.now() / 1000 - 5,
    agent_id: agentId,
    session_id: session,
    action_type: "tool_call",
    action_name: "customer_lookup",
    tool_name: "customer_lookup",
    input_summary: "id=1",
    output_summary: "ok",
    duration_ms: 3,
    metadata: { permission, resource: "customers.email" },
  });
  // One session breaks the policy (a high alert), another keeps to it.
  const res = await request.post("/api/v1/ingest", {
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    data: JSON.stringify([call(sessionId, "delete"), call(`sess_policy_${randomUUID().slice(0, 8)}`, "read")]),
  });
  expect(res.status()).toBe(200);
  await page.goto(`/alerts?agent_id=${encodeURIComponent(agentId)}`);
  const alertRow = page.getByRole("row").filter({ hasText: "policy_violation" });
  await expect(alertRow.getByText('The agent called tool "customer_lookup" to delete; the policy allows read')).toBeVisible();

  await page.goto(`/agents/${encodeURIComponent(agentId)}`);
  // The draft grants only what the agent did in sessions without a high alert: the one tool, with the permission reported there, never the delete.
  await section.getByRole("button", { name: "Draft from the last 7 days" }).click();
  const evidence = section.getByRole("region", { name: "Draft evidence" });
  await expect(evidence.getByText("1 calls in 1 sessions; permissions reported: read; 1 resources reported; busiest minute 1 calls")).toBeVisible();
  await expect(evidence.getByText(/1 session with a high or critical alert left out: its calls grant nothing/)).toBeVisible();
  const drafted = JSON.parse(await editor.inputValue()) as { permissions: { tool_name: string; allowed_actions: string[] }[] };
  expect(drafted.permissions.map((p) => [p.tool_name, p.allowed_actions])).toEqual([["customer_lookup", ["read"]]]);
  await expect(section.getByText(/Version 1, set by/)).toBeVisible();

  await section.getByRole("button", { name: "Remove policy" }).click();
  const reasonForm = page.getByRole("dialog", { name: "Remove policy" });
  await reasonForm.getByLabel("Reason").fill("agent moved to the new runtime");
  await reasonForm.getByRole("button", { name: "Remove policy" }).click();
  await expect(section.getByText(/No policy: this agent's tool calls are not judged/)).toBeVisible();
  await expect(section.getByRole("list", { name: "Policy versions" }).getByRole("listitem").first()).toContainText(
    "removed the policy (agent moved to the new runtime)",
  );
});

test("a viewer reads an agent's policy and gets no editor", async ({ page, request }) => {
  const { agentId } = registerAgentWithCli("e2e-policy-view");
  const put = await request.put(`/api/v1/agents/${encodeURIComponent(agentId)}/policy`, {
    headers: { authorization: `Bearer ${apiTokenWithCli("admin")}`, "content-type": "application/json" },
    data: JSON.stringify({ permissions: [{ tool_name: "kb_search", allowed_actions: ["read"], resource_scope: ["*"] }] }),
  });
  expect(put.status()).toBe(200);

  await signInAs(page, "viewer");
  await page.goto(`/agents/${encodeURIComponent(agentId)}`);
  const section = page.getByRole("region", { name: "Security policy" });
  await expect(section.getByRole("table", { name: "Tool permissions" }).getByRole("cell", { name: "kb_search" })).toBeVisible();
  await expect(section.getByRole("button", { name: "Save policy" })).toHaveCount(0);
  await expect(section.getByLabel(/Policy \(JSON/)).toHaveCount(0);
});
