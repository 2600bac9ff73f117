import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { registerAgentWithCli, signInAs } from "../support/agents";

test("registering an agent is checked in the browser by the server's rules, shows its key once, and revoking a key asks for a reason", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/admin/agents");
  const form = page.getByRole("form", { name: "Register agent" });
  const agentIdBox = form.getByLabel("Agent id");
  await agentIdBox.fill("global");
  await form.getByRole("button", { name: "Register agent" }).click();
  await expect(agentIdBox).toHaveAccessibleDescription(/"global" and "events" are reserved/);
  await expect(form.getByRole("alert")).toContainText("Some fields need a change");

  const agentId = `e2e-form-${randomUUID().slice(0, 8)}`;
  await agentIdBox.fill(agentId);
  await form.getByRole("button", { name: "Register agent" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Ingest key for ${agentId}` })).toBeVisible();
  await expect(agentIdBox).toHaveValue("");

  const row = page.getByRole("table", { name: "Ingest keys" }).getByRole("row").filter({ hasText: agentId });
  await row.getByRole("button", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog", { name: new RegExp(`^Revoke key .* of ${agentId}\\?$`) });
  await dialog.getByLabel("Reason").fill("key pasted into a ticket");
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("revoked");
});

test("a model price needs a reason, and removing it asks once", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/admin/model-prices");
  const model = `e2e-model-${randomUUID().slice(0, 8)}`;
  const form = page.getByRole("form", { name: "Set model price" });
  await form.getByLabel("Model").fill(model);
  await form.getByLabel("Input USD / 1M tokens").fill("1.5");
  await form.getByLabel("Output USD / 1M tokens").fill("6");
  await form.getByRole("button", { name: "Set price" }).click();
  await expect(form.getByLabel("Reason")).toHaveAccessibleDescription(/reason: say why/);

  await form.getByLabel("Reason").fill("contract price from the vendor");
  await form.getByRole("button", { name: "Set price" }).click();
  const row = page.getByRole("table", { name: "Model prices" }).getByRole("row").filter({ hasText: model });
  await expect(row).toContainText("$1.5");

  await row.getByRole("button", { name: `Remove the price of ${model}` }).click();
  const dialog = page.getByRole("dialog", { name: `Remove the price of ${model}?` });
  await dialog.getByLabel("Reason").fill("back to list price");
  await dialog.getByRole("button", { name: "Remove price" }).click();
  await expect(row).toHaveCount(0);
});

test("on an agent's page an admin issues and retires a canary and sets and removes a baseline, each field checked before sending", async ({ page }) => {
  test.setTimeout(60_000);
  const { agentId } = registerAgentWithCli("e2e-agentforms");
  await signInAs(page, "admin");
  await page.goto(`/agents/${encodeURIComponent(agentId)}`);

  const canaryForm = page.getByRole("form", { name: "Issue a canary" });
  await canaryForm.getByRole("button", { name: "Issue canary" }).click();
  await expect(canaryForm.getByLabel("Label")).toHaveAccessibleDescription(/label: say where the canary was planted/);
  await canaryForm.getByLabel("Label").fill("support prompt v3");
  await canaryForm.getByRole("button", { name: "Issue canary" }).click();
  await expect(page.getByRole("table", { name: "Canaries" }).getByRole("row").filter({ hasText: "support prompt v3" })).toBeVisible();
  await page.getByRole("button", { name: "Retire canary support prompt v3" }).click();
  const retire = page.getByRole("dialog", { name: "Retire canary support prompt v3?" });
  await retire.getByRole("button", { name: "Retire" }).click();
  await expect(page.getByText(/No canaries planted/)).toBeVisible();

  const baseline = page.getByRole("form", { name: "Configured baseline" });
  await baseline.getByLabel("Max tool calls per session").fill("0");
  await baseline.getByRole("button", { name: "Save baseline" }).click();
  await expect(baseline.getByLabel("Max tool calls per session")).toHaveAttribute("aria-invalid", "true");
  await baseline.getByLabel("Max tool calls per session").fill("40");
  await baseline.getByLabel("Expected tools (one per line)").fill("kb_search\nticket_create");
  await baseline.getByRole("button", { name: "Save baseline" }).click();
  await expect(page.getByText(/Judged by the configured baseline/)).toBeVisible();
  await page.reload();
  await expect(page.getByRole("form", { name: "Configured baseline" }).getByLabel("Max tool calls per session")).toHaveValue("40");

  await page.getByRole("button", { name: "Remove configured baseline" }).click();
  const remove = page.getByRole("dialog", { name: "Remove the configured baseline?" });
  await remove.getByRole("button", { name: "Remove configured baseline" }).click();
  await expect(page.getByText(/No baseline yet/)).toBeVisible();
});

test("a refused runbook upload lists each problem by line and column, and nothing is saved", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/runbooks");
  const form = page.getByRole("form", { name: "Upload a runbook" });
  await form.getByRole("button", { name: "Upload" }).click();
  await expect(form.getByLabel("Paste runbook YAML")).toHaveAccessibleDescription(/paste a runbook first/);

  const name = `e2e_refused_${randomUUID().slice(0, 8)}`;
  await form.getByLabel("Paste runbook YAML").fill(`${name}:\n  severity: urgent\n  immediate_actions:\n    - step: "Kill it"\n`);
  await form.getByRole("button", { name: "Upload" }).click();
  await expect(form.getByRole("alert")).toContainText("The runbook was not saved: 1 problem.");
  await expect(form.getByRole("list", { name: "Problems in the runbook" })).toContainText("line 2, column 13, severity:");
  await expect(page.getByRole("heading", { name: new RegExp(name) })).toHaveCount(0);
});
