import { ROLES, type Role } from "@/db/schema/auth";

export { ROLES, type Role };

/** Each role holds every right of the roles before it. */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

export const ROLE_RIGHTS: Record<Role, string> = {
  viewer: "read",
  analyst: "read, acknowledge alerts, investigate, export",
  responder: "analyst rights, kill agents, run runbooks, rotate credentials",
  admin: "every right: revive, lift global kill, users, tokens, ingest keys, baselines",
};
