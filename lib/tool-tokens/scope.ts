import type { AgentPolicy } from "@/lib/policy/policy";

export type TokenScope =
  | { ok: true; tools: string[]; permissions: string[]; toolPermissions: Record<string, string[]> }
  | { ok: false; field: "tools" | "permissions"; message: string };

const quoted = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);

/**
 * What a token may grant within the agent's policy: each tool the request names must be in the
 * policy, and each tool carries only the requested permissions its own line allows. A tool that
 * would carry none, or a permission no requested tool allows, refuses the whole request: a token is
 * never quietly narrower or wider than what was asked.
 */
export function scopeWithinPolicy(policy: AgentPolicy, tools: string[], permissions: string[]): TokenScope {
  const uniqueTools = [...new Set(tools)];
  const uniquePermissions = [...new Set(permissions)];
  const lines = new Map(policy.permissions.map((p) => [p.tool_name, p]));
  const toolPermissions: Record<string, string[]> = {};
  for (const tool of uniqueTools) {
    const line = lines.get(tool);
    if (!line) return { ok: false, field: "tools", message: `tools: ${quoted(tool)} is not in the agent's policy` };
    const allowed = uniquePermissions.filter((p) => (line.allowed_actions as string[]).includes(p));
    if (allowed.length === 0) {
      return {
        ok: false,
        field: "permissions",
        message: `permissions: the policy allows ${quoted(tool)} only ${line.allowed_actions.join(", ") || "nothing"}, none of ${uniquePermissions.join(", ")}`,
      };
    }
    toolPermissions[tool] = allowed;
  }
  for (const permission of uniquePermissions) {
    if (!Object.values(toolPermissions).some((granted) => granted.includes(permission))) {
      return { ok: false, field: "permissions", message: `permissions: no requested tool is allowed "${permission}" by the policy` };
    }
  }
  return { ok: true, tools: uniqueTools, permissions: uniquePermissions, toolPermissions };
}
