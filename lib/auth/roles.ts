/** Roles in order of rights: each holds every right of the roles before it. Framework-free, for server and browser. */
export const ROLES = ["viewer", "analyst", "responder", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

export const ROLE_RIGHTS: Record<Role, string> = {
  viewer: "read",
  analyst: "read, acknowledge alerts, investigate, export",
  responder: "analyst rights, kill agents, run runbooks, rotate credentials",
  admin: "every right: revive, lift global kill, users, tokens, ingest keys, baselines",
};

/** The role with the fewest rights among these: what a chain of delegations may act with. */
export function leastRole(first: Role, ...rest: Role[]): Role {
  return rest.reduce((least, role) => (ROLES.indexOf(role) < ROLES.indexOf(least) ? role : least), first);
}
