import { randomUUID } from "node:crypto";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { startSecretManager } from "../../scripts/testing/secret-manager";
import { apiTokenWithCli, registerAgentWithCli, signInAs } from "../support/agents";

// Each test registers agents and users through the CLI and waits for the server's rotation worker.
test.setTimeout(60_000);

const ROTATE_STEP = "Rotate all credentials the agent had access to";

function ingest(request: APIRequestContext, agentId: string, key: string) {
  const event = {
    timestamp: Date.now() / 1000,
    agent_id: agentId,
    session_id: `sess_rotation_${randomUUID().slice(0, 8)}`,
    action_type: "llm_call",
    action_name: "chat",
    input_summary: "hello",
    output_summary: "hi",
    duration_ms: 12,
    event_id: randomUUID(),
  };
  return request.post("/api/v1/ingest", { headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, data: JSON.stringify([event]) });
}

/** Any native confirm dialog is accepted (the console asks in its own dialogs now; this keeps a stray one from hanging a test). */
function acceptDialogs(page: Page): string[] {
  const questions: string[] = [];
  page.on("dialog", (dialog) => {
    questions.push(dialog.message());
    void dialog.accept();
  });
  return questions;
}

async function waitForSucceededRun(page: Page) {
  await page.waitForURL(/\/rotations\/[0-9a-f-]{36}$/);
  const item = page.getByTestId("rotation-item").filter({ hasText: "ingest key" });
  await expect(item.getByTestId("rotation-item-state")).toHaveText("rotated", { timeout: 20_000 });
  await expect(page.getByTestId("rotation-status")).toHaveText("succeeded");
  return item;
}

test("the incident's rotate step rotates the agent's ingest key; the new key is shown once and works, the old one is refused", async ({ page, request }) => {
  const { agentId, key: oldKey } = registerAgentWithCli("e2e-rotation");
  acceptDialogs(page);
  await signInAs(page, "responder");

  await page.goto("/incidents");
  await page.getByRole("button", { name: "Open an incident by hand" }).click();
  const byHand = page.getByRole("form", { name: "Open an incident by hand" });
  await byHand.getByLabel("Title").fill("Ingest key pasted into a support ticket");
  await byHand.getByLabel("Agents").fill(agentId);
  await byHand.getByRole("button", { name: "Open incident" }).click();
  await page.waitForURL(/\/incidents\/\d+$/);
  const incidentUrl = page.url();

  const step = page.locator('[id="step-remediation_steps.1"]');
  await expect(step.getByText(ROTATE_STEP, { exact: true })).toBeVisible();
  await page.getByRole("button", { name: `Run: ${ROTATE_STEP}` }).click();
  await page
    .getByRole("dialog", { name: `${ROTATE_STEP}?` })
    .getByRole("button", { name: "Run", exact: true })
    .click();
  // While the run goes the step links to it; a run that already ended links to it from its summary.
  await step.getByRole("link", { name: /rotation run/ }).click();

  const item = await waitForSucceededRun(page);
  await expect(page.getByRole("link", { name: /^INC-\d+$/ }).first()).toBeVisible();
  await expect(item.getByRole("list", { name: "Steps of ingest key" }).getByRole("listitem")).toHaveCount(5);
  await expect(item).toContainText("old secret refused: yes");

  await item.getByRole("button", { name: "Reveal the new secret of ingest key" }).click();
  const confirm = page.getByRole("dialog", { name: /^Show the new secret of/ });
  await expect(confirm).toContainText("shown once");
  await confirm.getByRole("button", { name: "Show it once" }).click();
  const shown = page.getByTestId("revealed-secret");
  await expect(shown).toContainText("will NOT be shown again");
  const newKey = (await shown.locator(".secret-once").textContent())?.trim() ?? "";
  expect(newKey).not.toBe("");
  expect(newKey).not.toBe(oldKey);
  await expect(item).toContainText("shown once to");
  await expect(item.getByRole("button", { name: /Reveal/ })).toHaveCount(0);

  // Shown once: a reload no longer has it, and the API refuses a second reveal.
  await page.reload();
  await expect(page.getByTestId("rotation-status")).toHaveText("succeeded");
  await expect(page.getByTestId("revealed-secret")).toHaveCount(0);
  await expect(page.getByText(newKey)).toHaveCount(0);

  const fresh = await ingest(request, agentId, newKey);
  expect([200, 202]).toContain(fresh.status());
  const stale = await ingest(request, agentId, oldKey);
  expect(stale.status()).toBe(401);

  await page.goto(incidentUrl);
  await expect(step.getByText("done", { exact: true })).toBeVisible();
  await expect(step.getByText(/1 credential rotated, 0 failed/)).toBeVisible();
  await expect(page.getByRole("list", { name: "Activity" }).getByText(/Credential rotation finished: 1 rotated, 0 failed/)).toBeVisible();
  await expect(page.getByTestId("rotation-failures")).toHaveCount(0);
});

test("the incident's rotate step shows each credential's progress live: a secret manager that fails once is retried, then the step is done", async ({
  page,
  request,
  baseURL,
}) => {
  const { agentId } = registerAgentWithCli("e2e-rotation-live");
  const admin = apiTokenWithCli("admin");
  const headers = { authorization: `Bearer ${admin}` };
  const added = await request.post("/api/v1/credentials", {
    headers,
    data: { agent_id: agentId, name: "payments api key", kind: "webhook", config: { url: "http://127.0.0.1:9/not-yet", secret_id: "prod/payments" } },
  });
  expect(added.status()).toBe(201);
  const { credential, signing_key } = (await added.json()) as { credential: { id: string }; signing_key: string };
  let tests = 0;
  const manager = await startSecretManager(Buffer.from(signing_key, "hex"), {
    override: (step) => (step === "test_secret" && ++tests === 1 ? { status: 503, body: JSON.stringify({ error: "vault is sealed" }) } : null),
  });
  try {
    const patched = await request.patch(`/api/v1/credentials/${credential.id}`, {
      headers,
      data: { config: { url: manager.url, secret_id: "prod/payments" } },
    });
    expect(patched.status()).toBe(200);
    acceptDialogs(page);
    await signInAs(page, "responder");
    const opened = await page.request.post("/api/v1/incidents", {
      headers: { origin: baseURL ?? "" },
      data: { title: "Payments key read by a hijacked agent", agent_ids: [agentId] },
    });
    expect(opened.status()).toBe(201);
    const { id } = (await opened.json()) as { id: number };

    await page.goto(`/incidents/${id}`);
    await page.getByRole("button", { name: `Run: ${ROTATE_STEP}` }).click();
    await page
      .getByRole("dialog", { name: `${ROTATE_STEP}?` })
      .getByRole("button", { name: "Run", exact: true })
      .click();
    const step = page.locator('[id="step-remediation_steps.1"]');
    // The ingest key is done at once; the secret manager's first test answer is a 503, retried after the back-off.
    const progress = step.getByTestId("rotation-progress");
    await expect(progress).toContainText("1 of 2 rotated");
    const waiting = progress.getByRole("list", { name: "Credentials still being rotated" }).getByRole("listitem");
    await expect(waiting).toHaveCount(1);
    await expect(waiting).toContainText("“payments api key” (External secret): retrying at verify");
    await expect(waiting).toContainText("vault is sealed");

    await expect(step.getByText("done", { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(step.getByText(/2 credentials rotated, 0 failed/)).toBeVisible();
    await expect(step.getByTestId("rotation-progress")).toHaveCount(0);
    expect(manager.calls.filter((c) => c.step === "test_secret")).toHaveLength(2);
  } finally {
    await manager.close();
  }
});

test("the agent page lists the ingest key, rotates it, and counts requests still made with the revoked key", async ({ page, request }) => {
  const { agentId, key: oldKey } = registerAgentWithCli("e2e-inventory");
  acceptDialogs(page);
  await signInAs(page, "responder");

  await page.goto(`/agents/${agentId}`);
  const inventory = page.getByRole("table", { name: "Credentials" });
  const row = inventory.getByRole("row").filter({ hasText: "ingest key" });
  await expect(row).toContainText("Ingest key");
  await expect(row).toContainText("AgentSOC (built-in)");
  await expect(row).toContainText("never rotated");
  await expect(row).toContainText("No request came with a revoked key.");
  await expect(page.getByRole("table", { name: "Recent rotations" })).toHaveCount(0);

  await page.getByRole("button", { name: "Rotate all credentials" }).click();
  await page.getByRole("dialog", { name: "Rotate credentials?" }).getByRole("button", { name: "Rotate", exact: true }).click();
  await waitForSucceededRun(page);

  for (let i = 0; i < 2; i++) expect((await ingest(request, agentId, oldKey)).status()).toBe(401);

  await page.goto(`/agents/${agentId}`);
  await expect(row.getByTestId("revoked-key-use")).toContainText(/^2 refused requests with a revoked key, last at \d{4}-\d\d-\d\d /);
  await expect(row.getByText("rotated", { exact: true })).toBeVisible();
  await expect(row.getByRole("cell").nth(4)).not.toHaveText("never");
  const runs = page.getByRole("table", { name: "Recent rotations" });
  const run = runs.getByRole("row").filter({ hasText: "1 of 1 rotated" });
  await expect(run).toContainText("succeeded");
  await run.getByRole("link").first().click();
  await expect(page.getByTestId("old-key-use")).toContainText(/^2 requests refused since, with the key it revoked, last at /);
});

test("an admin adds credentials: field errors show next to the field, an HMAC secret is shown once", async ({ page }) => {
  const { agentId } = registerAgentWithCli("e2e-cred-admin");
  await signInAs(page, "admin");
  await page.goto(`/agents/${agentId}`);

  const form = page.getByRole("form", { name: "Add a credential" });
  await form.getByRole("combobox", { name: /^Kind/ }).selectOption("postgres_role");
  await form.getByRole("textbox", { name: "Name", exact: true }).fill("orders db login");
  await form.getByRole("textbox", { name: "Role" }).fill("Not-A-Role");
  await form.getByRole("textbox", { name: "Host" }).fill("db.internal");
  await form.getByRole("textbox", { name: "Port" }).fill("5432");
  await form.getByRole("textbox", { name: "Database" }).fill("orders");
  await form.getByRole("button", { name: "Add credential" }).click();
  await expect(form.getByRole("textbox", { name: "Role" })).toHaveAccessibleDescription(/a lower-case role name/);
  await expect(form.getByRole("alert").filter({ hasText: "Not saved" })).toBeVisible();
  await expect(form.getByRole("textbox", { name: "Role" })).toHaveAttribute("aria-invalid", "true");

  await form.getByRole("textbox", { name: "Role" }).fill("orders_agent");
  await form.getByRole("button", { name: "Add credential" }).click();
  const inventory = page.getByRole("table", { name: "Credentials" });
  await expect(inventory.getByRole("row").filter({ hasText: "orders db login" })).toContainText("postgres://orders_agent@db.internal:5432/orders");

  await form.getByRole("combobox", { name: /^Kind/ }).selectOption("hmac_secret");
  await expect(form.getByRole("textbox", { name: "Role" })).toHaveCount(0);
  await form.getByRole("textbox", { name: "Name", exact: true }).fill("peer signing");
  await form.getByRole("textbox", { name: /Purpose/ }).fill("messages to billing-agent");
  await form.getByRole("button", { name: "Add credential" }).click();
  await expect(page.getByRole("status").filter({ hasText: 'HMAC signing secret "peer signing"' })).toContainText("shown only now");
  await expect(inventory.getByRole("row").filter({ hasText: "peer signing" })).toContainText("AgentSOC, for messages to billing-agent");
});

test("a credential that cannot be rotated fails the step and stays at the top of the incident until a responder resolves it", async ({
  page,
  request,
  baseURL,
}) => {
  const { agentId } = registerAgentWithCli("e2e-rotation-fail");
  // The e2e server has no PostgreSQL admin login configured: the provider refuses at once, a failure no retry changes.
  const admin = apiTokenWithCli("admin");
  const added = await request.post("/api/v1/credentials", {
    headers: { authorization: `Bearer ${admin}` },
    data: {
      agent_id: agentId,
      name: "orders db login",
      kind: "postgres_role",
      config: { role: "orders_agent", host: "127.0.0.1", port: 5432, database: "orders" },
    },
  });
  expect(added.status()).toBe(201);
  acceptDialogs(page);
  await signInAs(page, "responder");
  // With the page's session, as its own scripts call: a browser sends Origin on changes.
  const opened = await page.request.post("/api/v1/incidents", {
    headers: { origin: baseURL ?? "" },
    data: { title: "Orders database login seen in a transcript", agent_ids: [agentId] },
  });
  expect(opened.status()).toBe(201);
  const { id } = (await opened.json()) as { id: number };

  await page.goto(`/incidents/${id}`);
  await page.getByRole("button", { name: `Run: ${ROTATE_STEP}` }).click();
  await page
    .getByRole("dialog", { name: `${ROTATE_STEP}?` })
    .getByRole("button", { name: "Run", exact: true })
    .click();
  const step = page.locator('[id="step-remediation_steps.1"]');
  await expect(step.getByText("failed", { exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(step.getByText(/1 credential rotated, 1 failed/)).toBeVisible();
  await expect(step.getByRole("list", { name: "Credentials not rotated" })).toContainText("“orders db login”");

  const banner = page.getByTestId("rotation-failures");
  await expect(banner).toContainText("“orders db login” (PostgreSQL role");
  await expect(banner).not.toContainText("ingest key");
  await banner.getByRole("button", { name: "Resolve failure: orders db login" }).click();
  const form = banner.getByRole("form", { name: "Resolve failure: orders db login" });
  await form.getByRole("textbox", { name: "How it was dealt with" }).fill("password changed by the DBA by hand");
  await form.getByRole("button", { name: "Resolve" }).click();
  await expect(banner).toHaveCount(0);
  await expect(
    page.getByRole("list", { name: "Activity" }).getByText(/Failed rotation of "orders db login" resolved: password changed by the DBA by hand/),
  ).toBeVisible();

  await page.reload();
  await expect(step.getByText("failed", { exact: true })).toBeVisible();
  await expect(page.getByTestId("rotation-failures")).toHaveCount(0);
  await step.getByRole("link", { name: "rotation run" }).click();
  const item = page.getByTestId("rotation-item").filter({ hasText: "orders db login" });
  await expect(item.getByTestId("rotation-item-state")).toHaveText("failed");
  await expect(item).toContainText("Resolved by");
  await expect(item).toContainText("password changed by the DBA by hand");
});
