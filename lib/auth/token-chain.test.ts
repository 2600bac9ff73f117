import { describe, expect, it } from "vitest";
import { type TokenLink, tokenStanding } from "./token-chain";

const NOW = new Date("2026-01-10T00:00:00Z");
const link = (id: string, parent: string | null, over: Partial<TokenLink> = {}): TokenLink => ({
  id,
  name: `token-${id}`,
  role: "admin",
  parentTokenId: parent,
  ownerUserId: "u1",
  revokedAt: null,
  expiresAt: null,
  ...over,
});
const alice = { email: "alice@example.com", role: "admin" as const, disabled: false };

describe("tokenStanding", () => {
  it("acts with the least of the token's role, every ancestor's and the owner's current one", () => {
    expect(tokenStanding([link("c", "b"), link("b", "a"), link("a", null)], alice, NOW)).toEqual({ live: true, role: "admin" });
    expect(tokenStanding([link("c", "b"), link("b", "a", { role: "responder" }), link("a", null)], alice, NOW)).toEqual({ live: true, role: "responder" });
    expect(tokenStanding([link("c", "b", { role: "viewer" }), link("b", "a"), link("a", null)], alice, NOW)).toEqual({ live: true, role: "viewer" });
    expect(tokenStanding([link("c", "b"), link("b", "a"), link("a", null)], { ...alice, role: "analyst" }, NOW)).toEqual({ live: true, role: "analyst" });
  });

  it("bounds a chain the operator began by its tokens alone", () => {
    const cli = (id: string, parent: string | null, role: TokenLink["role"] = "admin") => link(id, parent, { ownerUserId: null, role });
    expect(tokenStanding([cli("b", "a"), cli("a", null, "responder")], null, NOW)).toEqual({ live: true, role: "responder" });
  });

  it("ends the whole chain with any revoked or expired link, or a disabled or missing owner", () => {
    const past = new Date(NOW.getTime() - 1);
    expect(tokenStanding([link("c", "b"), link("b", "a", { revokedAt: past }), link("a", null)], alice, NOW)).toEqual({
      live: false,
      why: "its ancestor token-b was revoked",
    });
    expect(tokenStanding([link("c", "b"), link("b", "a"), link("a", null, { expiresAt: NOW })], alice, NOW)).toEqual({
      live: false,
      why: "its ancestor token-a expired",
    });
    expect(tokenStanding([link("a", null, { revokedAt: past })], alice, NOW)).toEqual({ live: false, why: "it was revoked" });
    expect(tokenStanding([link("b", "a"), link("a", null)], { ...alice, disabled: true }, NOW)).toEqual({
      live: false,
      why: "its owner alice@example.com is disabled",
    });
    expect(tokenStanding([link("a", null)], null, NOW)).toEqual({ live: false, why: "its owner no longer exists" });
  });

  it("refuses a chain it could not follow to its root, or one whose links do not join", () => {
    expect(tokenStanding([link("c", "b"), link("b", "a")], alice, NOW).live).toBe(false);
    expect(tokenStanding([link("c", "x"), link("b", null)], alice, NOW)).toEqual({ live: false, why: "its chain is broken" });
    expect(tokenStanding([], alice, NOW)).toEqual({ live: false, why: "no such token" });
  });
});
