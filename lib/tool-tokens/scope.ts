import { inRanges } from "@/lib/policy/ip-ranges";
import type { AgentPolicy } from "@/lib/policy/policy";

export type TokenScope =
  | { ok: true; tools: string[]; permissions: string[]; toolPermissions: Record<string, string[]>; approvalRequired: string[] }
  | { ok: false; field: "tools" | "permissions" | "ttl_seconds" | "approval_id" | "source_address"; message: string };

const quoted = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);

/**
 * What a token may grant within the agent's policy: each tool the request names must be in the
 * policy with some resource in scope, asked from an address the policy allows, and each tool carries only the requested permissions its own
 * line allows. A tool that would carry none, a permission no requested tool allows, a lifetime past
 * the policy's session length, or a tool that requires approval asked for without one refuses the
 * whole request: a token is never quietly narrower or wider than what was asked.
 */
export function scopeWithinPolicy(
  policy: AgentPolicy,
  request: { tools: string[]; permissions: string[]; ttl_seconds: number; approval_id?: string | undefined },
  sourceAddress: string | null,
): TokenScope {
  if (policy.allowed_ip_ranges.length > 0 && !(sourceAddress && inRanges(sourceAddress, policy.allowed_ip_ranges))) {
    return {
      ok: false,
      field: "source_address",
      message: `the request came from ${sourceAddress ?? "an unknown address"}, outside the agent's allowed_ip_ranges (${policy.allowed_ip_ranges.join(", ")})`,
    };
  }
  const tools = [...new Set(request.tools)];
  const permissions = [...new Set(request.permissions)];
  if (request.ttl_seconds > policy.max_session_duration_seconds) {
    return {
      ok: false,
      field: "ttl_seconds",
      message: `ttl_seconds: the agent's policy lets a session last ${policy.max_session_duration_seconds} s; a token may not outlive it`,
    };
  }
  const lines = new Map(policy.permissions.map((p) => [p.tool_name, p]));
  const granted = new Map<string, string[]>();
  const approvalRequired: string[] = [];
  for (const tool of tools) {
    const line = lines.get(tool);
    if (!line) return { ok: false, field: "tools", message: `tools: ${quoted(tool)} is not in the agent's policy` };
    if (line.resource_scope.length === 0) return { ok: false, field: "tools", message: `tools: ${quoted(tool)} may touch no resource in the agent's policy` };
    const allowed = permissions.filter((p) => (line.allowed_actions as string[]).includes(p));
    if (allowed.length === 0) {
      return {
        ok: false,
        field: "permissions",
        message: `permissions: the policy allows ${quoted(tool)} only ${line.allowed_actions.join(", ") || "nothing"}, none of ${permissions.join(", ")}`,
      };
    }
    if (line.requires_approval) {
      if (!request.approval_id)
        return { ok: false, field: "approval_id", message: `approval_id: ${quoted(tool)} requires an approval; name the approval the call is under` };
      approvalRequired.push(tool);
    }
    granted.set(tool, allowed);
  }
  for (const permission of permissions) {
    if (![...granted.values()].some((g) => g.includes(permission))) {
      return { ok: false, field: "permissions", message: `permissions: no requested tool is allowed "${permission}" by the policy` };
    }
  }
  // fromEntries defines each key as the token's own, even one named "__proto__".
  return { ok: true, tools, permissions, toolPermissions: Object.fromEntries(granted), approvalRequired };
}
