import { z } from "zod";
import { unstorableReason } from "@/lib/storable-text";

/** The guide's Permission values, in its order. */
export const PERMISSIONS = ["read", "write", "delete", "execute", "admin"] as const;
export type PermissionName = (typeof PERMISSIONS)[number];

/** A name an admin types and an event later matches: storable, visible, and one line. */
const name = (what: string) =>
  z
    .string()
    .min(1, `${what}: must not be empty`)
    .max(200, `${what}: at most 200 characters`)
    .superRefine((text, ctx) => {
      const why = unstorableReason(text);
      if (why) ctx.addIssue({ code: "custom", message: `${what}: ${why}` });
      else if (/[\u0000-\u001f\u007f]/.test(text)) ctx.addIssue({ code: "custom", message: `${what}: contains a control character` });
    });

export const toolPermissionSchema = z
  .object({
    tool_name: name("tool_name"),
    allowed_actions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length),
    resource_scope: z
      .array(name("resource_scope entry"))
      .max(200)
      .meta({ description: 'Resources the tool may touch: exact names, or a prefix ending in "*" ("tickets.*"); [] for none, ["*"] for any' }),
    rate_limit: z.number().int().positive().max(1_000_000).default(100).meta({ description: "Calls of this tool per minute (guide default 100)" }),
    requires_approval: z.boolean().default(false),
    max_data_rows: z.number().int().positive().max(1_000_000_000).default(100),
  })
  .strict();

/**
 * An agent's security policy with the field names of the guide's AgentSecurityPolicy, which teams
 * already write down. The guide's defaults fill what is left out, so the stored policy says every
 * limit it enforces.
 */
export const agentPolicySchema = z
  .object({
    agent_id: z.string().optional().meta({ description: "The guide's field; when given it must name the agent in the path" }),
    role: z.union([z.literal(""), name("role")]).default(""),
    permissions: z.array(toolPermissionSchema).max(500),
    allowed_ip_ranges: z
      .array(
        z
          .union([z.cidrv4(), z.cidrv6()], {
            error: "allowed_ip_ranges: a range is an address and a prefix length, such as 10.0.0.0/8 or 2001:db8::/32",
          })
          .refine(
            // ::ffff:10.0.0.0/8 reads like 10/8 but covers every IPv4 address and more: the prefix counts from bit 0.
            (range) => !/^::ffff:/i.test(range) || Number(range.split("/")[1]) >= 96,
            "allowed_ip_ranges: an IPv4-mapped range counts its prefix over 128 bits (::ffff:10.0.0.0/104 is 10.0.0.0/8); write the IPv4 range instead",
          ),
      )
      .max(200)
      .default([]),
    max_session_duration_seconds: z.number().int().positive().max(31_536_000).default(3600),
    max_tool_calls_per_session: z.number().int().positive().max(10_000_000).default(500),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const seen = new Map<string, number>();
    policy.permissions.forEach((p, i) => {
      const first = seen.get(p.tool_name);
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["permissions", i, "tool_name"],
          message: `tool_name: "${p.tool_name}" is already granted in permissions.${first}`,
        });
      else seen.set(p.tool_name, i);
    });
  });

export type AgentPolicy = z.output<typeof agentPolicySchema>;
export type ToolPermission = AgentPolicy["permissions"][number];

const parsedPolicies = new WeakMap<object, AgentPolicy | null>();

/**
 * Reads a stored policy; a row that no longer parses (an older shape) counts as none rather than
 * failing ingest. Remembered per stored value: every batch of an agent shares its cached profile.
 */
export function storedPolicy(value: unknown): AgentPolicy | null {
  if (typeof value !== "object" || value === null) return null;
  const known = parsedPolicies.get(value);
  if (known !== undefined) return known;
  const parsed = agentPolicySchema.safeParse(value);
  const policy = parsed.success ? parsed.data : null;
  parsedPolicies.set(value, policy);
  return policy;
}

/** Whether `resource` is inside a scope entry: equal to it, or starting with its prefix when it ends in "*". */
export function inScope(scope: readonly string[], resource: string): boolean {
  return scope.some((entry) => (entry.endsWith("*") ? resource.startsWith(entry.slice(0, -1)) : resource === entry));
}

export interface PolicyChange {
  added_tools: string[];
  removed_tools: string[];
  changed: { field: string; before: unknown; after: unknown }[];
}

const POLICY_FIELDS = ["role", "allowed_ip_ranges", "max_session_duration_seconds", "max_tool_calls_per_session"] as const;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sortedSet = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort() : v);

/** What a change did, field by field, for the audit row and the version list. Sets compare without order. */
export function diffPolicies(before: AgentPolicy | null, after: AgentPolicy | null): PolicyChange {
  const tools = (p: AgentPolicy | null) => new Map((p?.permissions ?? []).map((t) => [t.tool_name, t]));
  const b = tools(before);
  const a = tools(after);
  const changed: PolicyChange["changed"] = [];
  // A policy set or removed whole: its tools say it; each limit against nothing would not.
  for (const field of before && after ? POLICY_FIELDS : []) {
    const x = before?.[field];
    const y = after?.[field];
    if (!same(sortedSet(x), sortedSet(y))) changed.push({ field, before: x, after: y });
  }
  for (const [tool, next] of a) {
    const prev = b.get(tool);
    if (!prev) continue;
    for (const field of ["allowed_actions", "resource_scope", "rate_limit", "requires_approval", "max_data_rows"] as const) {
      if (!same(sortedSet(prev[field]), sortedSet(next[field]))) changed.push({ field: `${tool}.${field}`, before: prev[field], after: next[field] });
    }
  }
  return {
    added_tools: [...a.keys()].filter((t) => !b.has(t)).sort(),
    removed_tools: [...b.keys()].filter((t) => !a.has(t)).sort(),
    changed,
  };
}
