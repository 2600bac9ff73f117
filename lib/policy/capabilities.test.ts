import { describe, expect, it } from "vitest";
import { type CapabilityGrant, checkCapabilities, grantCapabilityInput, pairKey, type RequestEvent, requestPairs } from "./capabilities";

/** The guide's two grants: the orchestrator may ask data-agent for reports and email-agent for notifications. */
const GRANTS: CapabilityGrant[] = [
  { source: "orchestrator", target: "data-agent", actions: ["generate_report", "query_inventory", "query_sales"], expiresAtUs: null },
  { source: "orchestrator", target: "email-agent", actions: ["send_notification"], expiresAtUs: 1_000_000 },
];
const T = 500_000;
const ev = (index: number, metadata: Record<string, unknown>, actionName = "delegate", tsMicros = T): { index: number; row: RequestEvent } => ({
  index,
  row: { tsMicros, sessionId: "s", actionName, metadata },
});

describe("checkCapabilities with the guide's registry", () => {
  it("lets granted requests through, from the requester's and the receiver's side", () => {
    expect(
      checkCapabilities(
        "orchestrator",
        GRANTS,
        [ev(0, { target_agent: "data-agent", requested_action: "query_sales" }), ev(1, { to_agent: "email-agent" }, "send_notification")],
        new Map(),
        T,
      ),
    ).toEqual([]);
    expect(checkCapabilities("data-agent", GRANTS, [ev(0, { sender_agent: "orchestrator", requested_action: "generate_report" })])).toEqual([]);
  });

  it("flags no grant, an expired grant and an action outside the grant", () => {
    const found = checkCapabilities(
      "orchestrator",
      GRANTS,
      [
        ev(0, { target_agent: "payments-agent", requested_action: "refund" }),
        ev(1, { target_agent: "email-agent", requested_action: "send_notification" }, "x", 2_000_000),
        ev(2, { target_agent: "email-agent", requested_action: "send_arbitrary_email" }),
      ],
      new Map(),
      T,
    );
    expect(found.map((f) => [f.eventIndex, f.detail])).toEqual([
      [0, 'orchestrator asked payments-agent to "refund": no capability grant'],
      [1, 'orchestrator asked email-agent to "send_notification": the grant had expired'],
      [2, 'orchestrator asked email-agent to "send_arbitrary_email": not among the granted actions ("send_notification")'],
    ]);
    expect(checkCapabilities("data-agent", GRANTS, [ev(0, { from_agent: "rogue-agent", requested_action: "query_sales" })]).map((f) => f.detail)).toEqual([
      'rogue-agent asked data-agent to "query_sales": no capability grant',
    ]);
  });

  it("judges expiry at arrival too: a request stamped before the expiry but sent after it is expired", () => {
    const backdated = [ev(0, { target_agent: "email-agent", requested_action: "send_notification" })];
    expect(checkCapabilities("orchestrator", GRANTS, backdated, new Map(), T)).toEqual([]);
    expect(checkCapabilities("orchestrator", GRANTS, backdated, new Map(), 2_000_000).map((f) => f.detail)).toEqual([
      'orchestrator asked email-agent to "send_notification": the grant had expired',
    ]);
  });

  it("does not judge agents the registry does not know, nor sides of them it does not know", () => {
    expect(checkCapabilities("support-agent", GRANTS, [ev(0, { target_agent: "anyone" })])).toEqual([]);
    // data-agent holds no grant as a source: its own requests are not judged.
    expect(checkCapabilities("data-agent", GRANTS, [ev(0, { target_agent: "email-agent" })])).toEqual([]);
  });

  it("quotes hostile actions as data and ignores peers that are not agent ids", () => {
    const found = checkCapabilities("orchestrator", GRANTS, [
      ev(0, { target_agent: ["data-agent", "<script>x</script>", "a\u0000b"], requested_action: `</td><img src=x>%00${"A".repeat(200)}` }),
    ]);
    expect(found).toHaveLength(1);
    expect(found[0]?.detail).toContain('"</td><img src=x>%00AAAA');
    expect(found[0]?.detail.length).toBeLessThan(250);
  });
});

describe("checkCapabilities: a grant's max_requests_per_minute", () => {
  const RATED: CapabilityGrant[] = [{ source: "orchestrator", target: "data-agent", actions: ["query_sales"], expiresAtUs: null, maxPerMinute: 3 }];
  const ask = (index: number, seconds: number, metadata: Record<string, unknown> = { target_agent: "data-agent" }) =>
    ev(index, { ...metadata, requested_action: "query_sales" }, "delegate", seconds * 1_000_000);

  it("lets requests up to the limit through, and flags each one over it in the minute ending at it", () => {
    expect(checkCapabilities("orchestrator", RATED, [ask(0, 0), ask(1, 10), ask(2, 20)])).toEqual([]);
    expect(checkCapabilities("orchestrator", RATED, [ask(0, 0), ask(1, 10), ask(2, 20), ask(3, 30), ask(4, 70)]).map((f) => [f.eventIndex, f.detail])).toEqual([
      [3, 'orchestrator asked data-agent to "query_sales": 4 requests in a minute; the grant allows 3'],
    ]);
  });

  it("counts the requests stored before this batch, and judges the receiver's report of the same pair", () => {
    const stored = new Map([[pairKey("orchestrator", "data-agent"), [0, 5_000_000, 10_000_000, 20_000_000]]]);
    expect(checkCapabilities("orchestrator", RATED, [ask(3, 20)], stored).map((f) => f.detail)).toEqual([
      'orchestrator asked data-agent to "query_sales": 4 requests in a minute; the grant allows 3',
    ]);
    const received = [0, 1, 2, 3].map((i) => ask(i, i, { sender_agent: "orchestrator" }));
    expect(checkCapabilities("data-agent", RATED, received).map((f) => f.eventIndex)).toEqual([3]);
  });

  it("names the pairs a batch needs counted: granted pairs only, from the side that reports them", () => {
    const rows = [ask(0, 1), ask(1, 2, { target_agent: "stranger" }), ask(2, 3, { sender_agent: "orchestrator" })].map((e) => e.row);
    expect([...requestPairs("orchestrator", RATED, rows)]).toEqual([[pairKey("orchestrator", "data-agent"), [1_000_000]]]);
    expect([...requestPairs("data-agent", RATED, rows)]).toEqual([[pairKey("orchestrator", "data-agent"), [3_000_000]]]);
  });
});

describe("grantCapabilityInput", () => {
  it("takes the guide's AgentCapability with its defaults and refuses what cannot be stored, naming the field", () => {
    expect(grantCapabilityInput.parse({ source_agent: "orchestrator", target_agent: "data-agent", allowed_actions: ["query_sales"] })).toMatchObject({
      max_requests_per_minute: 10,
      expires_at: 0,
    });
    const issues = (v: unknown) => grantCapabilityInput.safeParse(v).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues({ source_agent: "a", target_agent: "b", allowed_actions: ["x\u0000"] })).toEqual([
      "allowed_actions.0: allowed_actions: contains a NUL character (\\u0000), which cannot be stored",
    ]);
    expect(issues({ source_agent: "a", target_agent: "b", allowed_actions: ["x\uD800"] })[0]).toMatch(/^allowed_actions\.0: .*lone surrogate/);
    expect(issues({ source_agent: "a", target_agent: "a", allowed_actions: ["x"] })).toEqual([
      "target_agent: target_agent: an agent needs no grant to ask itself",
    ]);
    expect(issues({ source_agent: "a b", target_agent: "b", allowed_actions: [] })).toHaveLength(2);
  });
});
