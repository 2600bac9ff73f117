import { type Browser, expect, type Page, test } from "@playwright/test";
import { addUserWithCli, signInAs } from "../support/agents";

const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** A browser of its own (its own cookies), signed in through the sign-in form. */
async function signedInBrowser(browser: Browser, person: { email: string; password: string }, next = "/agents"): Promise<Page> {
  const page = await (await browser.newContext({ viewport: DESK })).newPage();
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${next}$`));
  return page;
}

async function noHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${page.url()} is ${scrollWidth} px wide in ${innerWidth}`).toBeLessThanOrEqual(innerWidth);
}

test("a person signed in from two browsers signs the other one out from the Account page, and that browser is sent to sign in", async ({ browser }) => {
  test.setTimeout(90_000);
  const person = addUserWithCli("viewer");
  const laptop = await signedInBrowser(browser, person);
  const phone = await signedInBrowser(browser, person);

  await laptop.getByRole("link", { name: person.email }).click();
  await expect(laptop).toHaveURL(/\/account$/);
  await expect(laptop.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
  await expect(laptop.getByRole("link", { name: "Change password" })).toHaveAttribute("href", "/account/password");
  await expect(laptop.getByRole("link", { name: "Two-step sign-in" })).toHaveAttribute("href", "/account/second-factor");
  const table = laptop.getByRole("table", { name: "Your sessions" });
  await expect(table.getByRole("row")).toHaveCount(3);
  await expect(table.getByText("this browser")).toHaveCount(1);
  await noHorizontalScroll(laptop);
  await laptop.setViewportSize(PHONE);
  await noHorizontalScroll(laptop);
  await laptop.setViewportSize(DESK);

  const other = laptop.getByRole("button", { name: /^Sign out .*, signed in / });
  await expect(other).toHaveCount(1);
  await other.click();
  const dialog = laptop.getByRole("dialog");
  await expect(dialog).toContainText("Its next request is refused");
  await dialog.getByRole("button", { name: "Sign out" }).click();
  await expect(dialog).toBeHidden();
  await expect(table.getByRole("row")).toHaveCount(2);

  await phone.goto("/alerts");
  await expect(phone).toHaveURL(/\/sign-in\?next=%2Falerts$/);
  // The laptop is still signed in, until it signs itself out from the same list.
  await laptop.reload();
  await laptop.getByRole("button", { name: "Sign out this browser" }).click();
  await expect(laptop).toHaveURL(/\/sign-in/);
  await laptop.goto("/account");
  await expect(laptop).toHaveURL(/\/sign-in\?next=%2Faccount$/);
});

test("an admin ends a person's sessions from the Users page, with a reason", async ({ browser, page }) => {
  test.setTimeout(90_000);
  const person = addUserWithCli("analyst");
  const theirs = await signedInBrowser(browser, person);
  const admin = await signInAs(page, "admin");
  await page.setViewportSize(DESK);
  await page.goto("/admin/users");
  // The admin looking at the page has signed in: their last sign-in is a time, not "never".
  const adminRow = page.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: admin.email });
  await expect(adminRow.locator("time")).toHaveCount(1);
  await expect(adminRow).not.toContainText("never");
  await page.getByRole("button", { name: `Sessions of ${person.email}` }).click();
  const panel = page.getByRole("region", { name: `Sessions of ${person.email}` });
  await expect(panel.getByRole("table", { name: `Sessions of ${person.email}` }).getByRole("row")).toHaveCount(2);
  await noHorizontalScroll(page);

  await panel.getByRole("button", { name: "End all sessions" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Reason").fill("laptop reported stolen");
  await dialog.getByRole("button", { name: "End all" }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.getByText("No live sessions.")).toBeVisible();

  await theirs.goto("/alerts");
  await expect(theirs).toHaveURL(/\/sign-in/);
  await page.goto("/audit?action=session.end");
  await expect(page.getByText("laptop reported stolen").first()).toBeVisible();
});
