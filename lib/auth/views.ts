import type { Role } from "./roles";

export interface UserView {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  locked_until: string | null;
  created_at: string;
  last_sign_in_at: string | null;
}

export interface ApiTokenView {
  id: string;
  name: string;
  /** The role it was made with. */
  role: Role;
  /** The role it acts with now (the least along its chain and its owner's current one); null when it cannot act. */
  effective_role: Role | null;
  /** Why it cannot act (revoked, expired, an ancestor revoked, its owner disabled); null while it can. */
  dead_because: string | null;
  /** The person whose rights bound the chain, or null for a chain the operator began at the shell. */
  owner_email: string | null;
  parent: { id: string; name: string } | null;
  prefix: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A live browser session, as its owner (or an admin) sees it. */
export interface SessionView {
  id: string;
  started_at: string;
  last_seen_at: string;
  expires_at: string;
  /** The address it signed in from, as the console saw it (the proxy's entry when one is trusted). */
  address: string | null;
  /** Browser and system read from its User-Agent, e.g. "Firefox on Windows". */
  device: string;
  /** The session making this request. */
  current: boolean;
}
