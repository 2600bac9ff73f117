import { expect, test } from "@playwright/test";
import { signInAs } from "../support/agents";

test("a viewer finds the API reference in the navigation and reads an operation's role, parameters, bodies and errors", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API", exact: true }).click();
  await expect(page).toHaveURL(/\/api-reference$/);
  await expect(page.getByRole("heading", { level: 1, name: "API reference" })).toBeVisible();

  const index = page.getByRole("navigation", { name: "Operations by area" });
  for (const area of ["Agent door", "OpenTelemetry", "Kill switch", "Incidents", "Schemas"])
    await expect(index.getByRole("link", { name: area })).toBeVisible();

  const killSwitch = page.getByRole("region", { name: "Kill switch" });
  const kill = killSwitch.locator("details").filter({ hasText: "Kill one agent" });
  await kill.locator("summary").click();
  await expect(kill.locator("summary")).toContainText("PUT");
  await expect(kill.locator("summary")).toContainText("/api/v1/killswitch/agents/{agentId}");
  await expect(kill.locator("summary")).toContainText("responder+");
  await expect(kill.getByText("Minimum role: responder, with an API token or a browser session.")).toBeVisible();
  const parameters = kill.getByRole("region", { name: "Parameters" });
  await expect(parameters.getByText("agentId", { exact: true })).toBeVisible();
  const body = kill.getByRole("region", { name: "Request body" });
  await expect(body.getByText("reason", { exact: true })).toBeVisible();
  await expect(body.getByText("at most 500 characters")).toBeVisible();
  const responses = kill.getByRole("region", { name: "Responses" });
  await expect(responses.getByText("killed_at", { exact: true })).toBeVisible();
  await expect(responses.getByRole("row").filter({ hasText: "404" })).toContainText("no such agent");

  // The shared error shape is one schema, linked from every operation.
  await responses.getByRole("link", { name: "Error" }).click();
  const error = page.locator("#schema-Error");
  await expect(error).toHaveAttribute("open", "");
  await expect(error.getByText("request_id", { exact: true })).toBeVisible();

  // The OTLP door documents both encodings.
  const otlp = page.getByRole("region", { name: "OpenTelemetry" }).locator("details").first();
  await otlp.locator("summary").click();
  await expect(otlp.getByRole("region", { name: "Request body" })).toContainText("application/x-protobuf");
  await expect(otlp.getByRole("region", { name: "Request body" })).toContainText("application/json");
});

test("the document itself is served to any signed-in person, and to no stranger", async ({ page, playwright, baseURL }) => {
  await signInAs(page, "viewer");
  const res = await page.request.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { "x-agentsoc-min-role"?: string }>> };
  expect(doc.openapi).toBe("3.1.0");
  expect(doc.paths["/api/v1/killswitch/global"]?.delete?.["x-agentsoc-min-role"]).toBe("admin");

  const stranger = await playwright.request.newContext({ baseURL });
  expect((await stranger.get("/api/v1/openapi.json")).status()).toBe(401);
  await stranger.dispose();
});

test("on a phone the reference fits the screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, "viewer");
  await page.goto("/api-reference");
  const ingest = page.getByRole("region", { name: "Agent door" }).locator("details").filter({ hasText: "Send action log records" });
  await ingest.locator("summary").click();
  await expect(ingest.getByRole("region", { name: "Request body" })).toContainText("application/x-ndjson");
  const overflow = await page.locator(".api-reference").evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
