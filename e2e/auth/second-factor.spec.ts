import { expect, test } from "@playwright/test";
import { generate } from "otplib";
import { addUserWithCli } from "../support/agents";

const codeAt = (secret: string, aheadS = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + aheadS });

test("a person turns on two-step sign-in with an authenticator, then signs in with its code, and once with a recovery code", async ({ page }) => {
  // Three sign-ins and a dozen pages: more than the default 30 s on a busy machine.
  test.setTimeout(90_000);
  const person = addUserWithCli("responder");
  await page.goto("/sign-in?next=%2Faccount%2Fsecond-factor");
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account\/second-factor$/);

  const enrol = page.getByRole("form", { name: "Enrol an authenticator" });
  await enrol.getByLabel("Your password").fill(person.password);
  await enrol.getByRole("button", { name: "Start" }).click();
  const confirm = page.getByRole("form", { name: "Confirm the authenticator" });
  await expect(confirm.getByRole("img", { name: "QR code of the authenticator key" })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await confirm.getByLabel("Code the app shows now").fill("000000");
  await confirm.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not the code the authenticator shows now" })).toBeVisible();
  await confirm.getByLabel("Code the app shows now").fill(await codeAt(secret));
  await confirm.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  const codes = page.getByRole("status").filter({ hasText: "Recovery codes" });
  await expect(codes).toBeVisible();
  const recovery = ((await codes.locator(".secret-once").textContent()) ?? "").trim().split(/\s+/);
  expect(recovery).toHaveLength(10);
  await expect(page.getByText("10 recovery codes left")).toBeVisible();

  // Signed out, the password alone no longer opens the console.
  await page.context().clearCookies();
  await page.goto("/sign-in?next=%2Fagents");
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const code = page.getByLabel("Code from your authenticator");
  await expect(code).toBeFocused();
  await code.fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong code" })).toBeVisible();
  // The step after the one confirmation used: each code is accepted once.
  await code.fill(await codeAt(secret, 30));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/agents$/);

  await page.context().clearCookies();
  await page.goto("/sign-in?next=%2Fagents");
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Use a recovery code instead" }).click();
  await page.getByLabel("Recovery code").fill(recovery[0] ?? "");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/agents$/);
  await page.goto("/account/second-factor");
  await expect(page.getByText("9 recovery codes left")).toBeVisible();

  // Removed with the password and a recovery code: the password alone signs in again.
  const remove = page.getByRole("form", { name: "Remove the authenticator" });
  await remove.getByLabel("Your password").fill(person.password);
  await remove.getByLabel("Current code, or a recovery code").fill(recovery[1] ?? "");
  await remove.getByRole("button", { name: "Remove the authenticator" }).click();
  await expect(page.getByRole("form", { name: "Enrol an authenticator" })).toBeVisible();
  await page.context().clearCookies();
  const res = await page.request.post("/api/v1/auth/sign-in", { data: { email: person.email, password: person.password } });
  expect(res.status()).toBe(200);
});
