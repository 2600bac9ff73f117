import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { type Role, registerAgentWithCli, signInAs } from "../support/agents";

/** Session ids an agent may choose: percent signs that decode (or not), URL syntax, dot segments, spaces, unicode. */
const HOSTILE_SESSION_IDS = ["50% off %25 done", "a/b?c=d#e", "../../etc/passwd", "%E0%A4%A", "ünïcødé 💥 session"];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

for (const role of ["viewer", "analyst"] satisfies Role[]) {
  test(`a ${role} opens each session and its agent from the lists, whatever characters the ids hold`, async ({ page, request }) => {
    await signInAs(page, role);
    // Agent ids are limited at registration to letters, digits, ".", "_", ":" and "-".
    const { agentId, key } = registerAgentWithCli("e2e.ids:x");
    const suffix = randomUUID().slice(0, 6);
    const sessionIds = HOSTILE_SESSION_IDS.map((id) => `${id} ${suffix}`);
    const t0 = Date.now() / 1000 - 60;
    const events = sessionIds.map((sessionId, i) => ({
      timestamp: t0 + i,
      agent_id: agentId,
      session_id: sessionId,
      action_type: "tool_call",
      action_name: "lookup",
      tool_name: "lookup",
      input_summary: `input of ${sessionId}`,
      output_summary: "ok",
      duration_ms: 5,
      event_id: randomUUID(),
    }));
    const res = await request.post("/api/v1/ingest", {
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      data: JSON.stringify(events),
    });
    expect(res.status()).toBe(200);

    const sessionShown = async (sessionId: string) => {
      await expect(page.getByRole("heading", { name: `Session ${sessionId}` })).toBeVisible();
      await expect(page).toHaveTitle(new RegExp(`Session ${escapeRegExp(sessionId)}`));
      // A viewer reads the events from the page; an analyst's investigation reads them back through the API, the id in its path.
      const events = role === "viewer" ? page.getByRole("table", { name: "Session events" }) : page.getByRole("main");
      await expect(events.getByText(`input of ${sessionId}`)).toBeVisible();
    };
    for (const sessionId of sessionIds) {
      await page.goto(`/events?agent_id=${encodeURIComponent(agentId)}`);
      await page.getByRole("table", { name: "Events" }).getByRole("link", { name: sessionId, exact: true }).click();
      await sessionShown(sessionId);
      // The address itself, typed or shared, opens the same page.
      await page.goto(page.url());
      await sessionShown(sessionId);
    }

    await page.goto("/agents");
    await page.getByRole("table", { name: "Agents" }).getByRole("link", { name: agentId, exact: true }).click();
    await expect(page.getByRole("heading", { name: `Agent ${agentId}` })).toBeVisible();
  });
}

test("a page address holding a NUL is refused with 400, and bad percent-encoding fails no page", async ({ page }) => {
  await signInAs(page, "viewer");
  for (const address of ["/sessions/x%00y", "/events?agent_id=a%00b", "/alerts?session_id=%00", "/audit?actor=x%00"]) {
    const res = await page.request.get(address);
    expect(res.status(), address).toBe(400);
    expect(await res.text()).toMatch(/^Bad request: /);
  }
  // Next.js itself answers 400 for a path segment that does not decode; a query string it passes on with U+FFFD in its place.
  for (const address of ["/sessions/%E0%A4%A", "/events?agent_id=%E0%A4%A", "/alerts?session_id=%ED%A0%80", "/audit?actor=%"]) {
    expect((await page.request.get(address)).status(), address).toBeLessThan(500);
  }
});
