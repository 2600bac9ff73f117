import { expect, test } from "@playwright/test";
import Redis from "ioredis";
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
  await row.getByRole("button", { name: "Kill" }).click();
  const form = row.getByRole("form", { name: `Kill ${target.agentId}` });
  await form.getByLabel("Reason").fill("Injected instructions in a retrieved document");
  await form.getByRole("button", { name: `Kill ${target.agentId}` }).click();
  await expect(row.getByText("KILLED")).toBeVisible();
  await expect(row.getByRole("button", { name: "Revive" })).toHaveCount(0);

  await expect(viewerRow.getByRole("status")).toContainText("Injected instructions in a retrieved document", { timeout: 1500 });
  await expect(viewerRow.getByRole("status")).toContainText("KILLED");

  const redis = new Redis(process.env.AGENTSOC_TEST_REDIS_URL ?? "");
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
  const form = bar.getByRole("form", { name: "Kill all agents" });
  await form.getByLabel("Reason").fill("Drill: global containment");
  await form.getByLabel("Type KILL ALL").fill("kill all");
  await form.getByRole("button", { name: "Kill all agents" }).click();
  await expect(form.getByRole("alert")).toHaveText("Type KILL ALL to confirm");
  await form.getByLabel("Type KILL ALL").fill("KILL ALL");
  await form.getByRole("button", { name: "Kill all agents" }).click();
  await expect(bar).toContainText("ALL AGENTS KILLED");
  await bar.getByRole("button", { name: "Lift global kill" }).click();
  const lift = bar.getByRole("form", { name: "Lift global kill" });
  await lift.getByLabel("Reason").fill("Drill over");
  await lift.getByRole("button", { name: "Lift global kill" }).click();
  await expect(bar).toContainText("Global kill switch: off");
});
