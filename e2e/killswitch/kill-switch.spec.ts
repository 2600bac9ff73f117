import { expect, test } from "@playwright/test";
import Redis from "ioredis";
import { e2eEnv } from "../../lib/env";
import { registerAgentWithCli, signInAs } from "../support/agents";

test("a responder's kill shows on another open console within a second, and so does a kill made with redis-cli", async ({ browser }) => {
  const target = registerAgentWithCli("e2e-kill");
  const byHand = registerAgentWithCli("e2e-handkill");

  const responderContext = await browser.newContext();
  const responder = await responderContext.newPage();
  await signInAs(responder, "responder");
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signInAs(viewer, "viewer");
  await responder.goto("/agents");
  await viewer.goto("/agents");

  const viewerRow = viewer.getByRole("table", { name: "Agents" }).getByRole("row").filter({ hasText: target.agentId });
  await expect(viewerRow.getByText("running")).toBeVisible();
  await expect(viewerRow.getByRole("button", { name: "Kill" })).toHaveCount(0);

  const row = responder.getByRole("table", { name: "Agents" }).getByRole("row").filter({ hasText: target.agentId });
  await row.getByRole("button", { name: `Kill ${target.agentId}` }).click();
  const form = responder.getByRole("dialog", { name: `Kill ${target.agentId}?` });
  await form.getByLabel("Reason").fill("Injected instructions in a retrieved document");
  await form.getByRole("button", { name: `Kill ${target.agentId}` }).click();
  await expect(form).toHaveCount(0);
  await expect(row.getByText("KILLED")).toBeVisible();
  await expect(row.getByRole("button", { name: "Revive" })).toHaveCount(0);

  await expect(viewerRow.getByRole("status")).toContainText("Injected instructions in a retrieved document", { timeout: 1500 });
  await expect(viewerRow.getByRole("status")).toContainText("KILLED");

  const redis = new Redis(e2eEnv().AGENTSOC_TEST_REDIS_URL);
  try {
    await redis.hset(`agent:killswitch:${byHand.agentId}`, { killed: "true", reason: "Prompt injection detected", killed_by: "security-team" });
    const handRow = viewer.getByRole("table", { name: "Agents" }).getByRole("row").filter({ hasText: byHand.agentId });
    await expect(handRow.getByRole("status")).toContainText("set in Redis by hand", { timeout: 5000 });
    await expect(handRow.getByRole("status")).toContainText("security-team");
  } finally {
    redis.disconnect();
  }
  await responderContext.close();
  await viewerContext.close();
});

test("kill all needs a typed confirmation, and only an admin sees Lift", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/agents");
  const bar = page.getByRole("region", { name: "Global kill switch" });
  await bar.getByRole("button", { name: "Kill all agents" }).click();
  const form = page.getByRole("dialog", { name: "Kill all agents?" });
  await form.getByLabel("Reason").fill("Drill: global containment");
  await form.getByLabel("Type KILL ALL").fill("kill all");
  await form.getByRole("button", { name: "Kill all agents" }).click();
  await expect(form.getByRole("alert")).toHaveText("Type KILL ALL to confirm");
  await form.getByLabel("Type KILL ALL").fill("KILL ALL");
  await form.getByRole("button", { name: "Kill all agents" }).click();
  await expect(bar).toContainText("ALL AGENTS KILLED");
  await bar.getByRole("button", { name: "Lift global kill" }).click();
  const lift = page.getByRole("dialog", { name: "Lift the global kill?" });
  await lift.getByLabel("Reason").fill("Drill over");
  await lift.getByRole("button", { name: "Lift global kill" }).click();
  await expect(bar).toContainText("Global kill switch: off");
});

test("an agent's page kills it, shows the history, and lets an admin set automatic kills", async ({ page }) => {
  const agent = registerAgentWithCli("e2e-agentpage");
  await signInAs(page, "admin");
  await page.goto("/agents");
  await page.getByRole("table", { name: "Agents" }).getByRole("link", { name: agent.agentId }).click();
  await expect(page.getByRole("heading", { name: `Agent ${agent.agentId}` })).toBeVisible();

  const policies = page.getByRole("form", { name: "Automatic kill policies" });
  await policies.getByLabel(/session's cost passes a hard limit/).check();
  await policies.getByLabel("Limit (USD)").fill("12.5");
  await policies.getByRole("button", { name: "Save policies" }).click();
  await expect(policies.getByRole("status")).toContainText("Saved");
  await page.reload();
  await expect(page.getByRole("form", { name: "Automatic kill policies" }).getByLabel("Limit (USD)")).toHaveValue("12.5");

  const killSwitch = page.getByRole("region", { name: "Kill switch" });
  await killSwitch.getByRole("button", { name: `Kill ${agent.agentId}` }).click();
  const dialog = page.getByRole("dialog", { name: `Kill ${agent.agentId}?` });
  await dialog.getByLabel("Reason").fill("tool calls to an unknown host");
  await dialog.getByRole("button", { name: `Kill ${agent.agentId}` }).click();
  await expect(killSwitch.getByRole("status")).toContainText("tool calls to an unknown host");
  await page.reload();
  await expect(page.getByRole("table", { name: "Kill-switch history" }).getByRole("row").nth(1)).toContainText("tool calls to an unknown host");
});
