import { expect, test } from "@playwright/test";
import { addUserWithCli, apiTokenWithCli, signInAs } from "../support/agents";

test("a signed-out visitor is sent to sign-in and comes back to the page they asked for", async ({ page }) => {
  const admin = addUserWithCli("admin");
  await page.goto("/events?action_type=error");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fevents%3Faction_type%3Derror$/);

  await page.getByLabel("E-mail").fill(admin.email);
  await page.getByLabel("Password").fill("wrong password entirely");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong e-mail or password" })).toBeVisible();

  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/events\?action_type=error$/);
  const nav = page.getByRole("navigation", { name: "Main" });
  // The admin pages are grouped under one menu entry so the bar fits one line.
  await nav.getByRole("button", { name: "Admin" }).click();
  for (const link of ["Agents", "Events", "Audit", "Users", "API tokens", "Ingest keys"]) {
    await expect(nav.getByRole("link", { name: link, exact: true })).toBeVisible();
  }
});

test("an admin adds a user, sees the one-time password once, and finds the change in the audit log", async ({ page }) => {
  // Three sign-ins and a dozen pages: more than the default 30 s on a busy machine.
  test.setTimeout(90_000);
  await signInAs(page, "admin");
  await page.goto("/admin/users");
  const email = `added-${Date.now()}@example.com`;
  const form = page.getByRole("form", { name: "Add user" });
  await form.getByLabel("E-mail").fill(email);
  await form.getByLabel("Role").selectOption("responder");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("status")).toContainText(`One-time password for ${email}`);
  await expect(page.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: email })).toBeVisible();

  const oneTime = (await page.getByRole("status").locator(".secret-once").textContent()) ?? "";
  expect(oneTime).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);

  const newcomer = await page.context().browser()?.newContext();
  if (!newcomer) throw new Error("no browser");
  const them = await newcomer.newPage();
  await them.goto("/agents");
  await them.getByLabel("E-mail").fill(email);
  await them.getByLabel("Password").fill(oneTime);
  await them.getByRole("button", { name: "Sign in" }).click();
  await expect(them).toHaveURL(/\/account\/password$/);
  await them.goto("/agents");
  await expect(them).toHaveURL(/\/account\/password$/);
  await them.getByLabel("Current password").fill(oneTime);
  await them.getByLabel("New password (at least 12 characters)").fill("a password of my own");
  await them.getByLabel("New password again").fill("a password of my own");
  await them.getByRole("button", { name: "Set password" }).click();
  await expect(them).toHaveURL(/\/agents$/);
  await newcomer.close();

  await page.goto(`/audit?target_id=${encodeURIComponent(email)}`);
  await expect(page.getByRole("table", { name: "Audit log" }).getByRole("row").filter({ hasText: "user.create" })).toBeVisible();
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Chain" })).toContainText("Chain intact");
  await expect(page.getByRole("region", { name: "Audit chain head" })).toContainText(/Newest row #\d+, written .+ UTC, hash [0-9a-f]{64}\./);
});

test("a viewer sees only the viewer's pages and is refused admin actions by the server too", async ({ page, baseURL }) => {
  await signInAs(page, "viewer");
  await page.goto("/agents");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Events", exact: true })).toBeVisible();
  for (const hidden of ["Audit", "Users", "API tokens", "Ingest keys"]) {
    await expect(nav.getByRole("link", { name: hidden, exact: true })).toHaveCount(0);
  }
  await page.goto("/admin/tokens");
  await expect(page.getByRole("alert").filter({ hasText: "Not allowed" })).toContainText("Your role, viewer, may not manage API tokens");

  const res = await page.request.post("/api/v1/tokens", {
    headers: { origin: baseURL ?? "" },
    data: { name: "sneaky", role: "admin" },
  });
  expect(res.status()).toBe(403);
  expect((await res.json()).error.message).toContain("Your role (viewer) may not");
});

test("sign-out ends the session: the console sends you back to sign-in", async ({ page }) => {
  await signInAs(page, "analyst");
  await page.goto("/agents");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/events");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fevents/);
  expect((await page.request.get("/api/v1/events")).status()).toBe(401);
});

test("pages carry a nonce-based CSP and anti-framing headers, and the console still runs its own scripts", async ({ page }) => {
  await signInAs(page, "viewer");
  const res = await page.goto("/agents");
  const headers = res?.headers() ?? {};
  expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(headers["content-security-policy"]).not.toContain("'unsafe-inline' 'nonce");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  const api = await page.request.get("/api/v1/auth/me");
  expect(api.headers()["x-content-type-options"]).toBe("nosniff");
  expect(api.headers()["content-type"]).toContain("application/json");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events", exact: true }).click();
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByRole("heading", { name: "Events" })).toBeVisible();
});

test("after sign-in, a return path that would leave the console lands on the console instead", async ({ page, baseURL }) => {
  const analyst = addUserWithCli("analyst");
  await page.goto(`/sign-in?next=${encodeURIComponent("/..//evil.example/phish")}`);
  await page.getByLabel("E-mail").fill(analyst.email);
  await page.getByLabel("Password").fill(analyst.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${baseURL}/agents`);
});

test("a sign-in is recorded under the address the connection came from, not the X-Forwarded-For the client wrote", async ({ request }) => {
  const user = addUserWithCli("viewer");
  const res = await request.post("/api/v1/auth/sign-in", {
    headers: { "x-forwarded-for": "203.0.113.99", "x-agentsoc-peer": "guess 203.0.113.98" },
    data: { email: user.email, password: user.password },
  });
  expect(res.status()).toBe(200);
  const admin = apiTokenWithCli("admin");
  const audit = await request.get(`/api/v1/audit?action=auth.sign_in&target_id=${encodeURIComponent(user.email)}`, {
    headers: { authorization: `Bearer ${admin}` },
  });
  const entries = ((await audit.json()) as { entries: { source_ip: string | null }[] }).entries;
  expect(entries.map((e) => e.source_ip)).toEqual(["127.0.0.1"]);
});

test("the token list shows whose rights bound each token and what a token minted by a token acts as", async ({ page, request }) => {
  const { email } = await signInAs(page, "admin");
  await page.goto("/admin/tokens");
  const form = page.getByRole("form", { name: "Create API token" });
  const name = `e2e-chain-${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Role").selectOption("admin");
  await form.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByRole("status").locator(".secret-once").textContent()) ?? "";
  const minted = await request.post("/api/v1/tokens", { headers: { authorization: `Bearer ${secret}` }, data: { name: `${name}-child`, role: "responder" } });
  expect(minted.status()).toBe(201);
  await page.reload();
  const row = (tokenName: string) =>
    page
      .getByRole("table", { name: "API tokens" })
      .getByRole("row")
      .filter({ has: page.getByRole("cell", { name: tokenName, exact: true }) });
  await expect(row(name)).toContainText(email);
  await expect(row(`${name}-child`)).toContainText(`minted by token ${name}`);
  await expect(row(`${name}-child`)).toContainText(email);
});
