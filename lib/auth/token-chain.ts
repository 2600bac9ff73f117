import { leastRole, type Role } from "./roles";

/** Tokens minted from tokens: how many links a chain may have, the root included. */
export const MAX_TOKEN_CHAIN = 8;

export interface TokenLink {
  id: string;
  name: string;
  role: Role;
  parentTokenId: string | null;
  ownerUserId: string | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
}

export interface TokenOwner {
  email: string;
  role: Role;
  disabled: boolean;
}

export type TokenStanding = { live: true; role: Role } | { live: false; why: string };

/**
 * Whether a token may act, and with which role. `chain` is the token followed by the token that
 * minted it, and so on up to the root; `owner` is the person at the root as they are now (null for a
 * chain the operator began at the shell). A token never has more rights than any link above it or
 * than its owner has today, and a revoked or expired link, or a disabled owner, ends the whole chain.
 */
export function tokenStanding(chain: readonly TokenLink[], owner: TokenOwner | null, now: Date = new Date()): TokenStanding {
  const [token] = chain;
  const root = chain.at(-1);
  if (!token || !root) return { live: false, why: "no such token" };
  for (const [i, link] of chain.entries()) {
    const subject = i === 0 ? "it" : `its ancestor ${link.name}`;
    if (link.revokedAt) return { live: false, why: `${subject} was revoked` };
    if (link.expiresAt && link.expiresAt.getTime() <= now.getTime()) return { live: false, why: `${subject} expired` };
    if (i > 0 && chain[i - 1]?.parentTokenId !== link.id) return { live: false, why: "its chain is broken" };
  }
  if (root.parentTokenId !== null) return { live: false, why: `its chain is longer than ${MAX_TOKEN_CHAIN} tokens` };
  if (root.ownerUserId !== null) {
    if (!owner) return { live: false, why: "its owner no longer exists" };
    if (owner.disabled) return { live: false, why: `its owner ${owner.email} is disabled` };
  }
  const ownerRole = root.ownerUserId !== null && owner ? [owner.role] : [];
  return { live: true, role: leastRole(token.role, ...chain.map((link) => link.role), ...ownerRole) };
}
