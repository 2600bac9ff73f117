import { describe, expect, it } from "vitest";
import { agentPolicySchema } from "@/lib/policy/policy";
import { SUPPORT_AGENT_POLICY } from "@/scripts/testing/guide-policy";
import { scopeWithinPolicy } from "./scope";

const policy = agentPolicySchema.parse(SUPPORT_AGENT_POLICY);
const ask = (tools: string[], permissions: string[], more: { ttl_seconds?: number; approval_id?: string } = {}) => ({
  tools,
  permissions,
  ttl_seconds: more.ttl_seconds ?? 300,
  approval_id: more.approval_id,
});

describe("scopeWithinPolicy", () => {
  it("gives each tool only the requested permissions its own line allows", () => {
    expect(scopeWithinPolicy(policy, ask(["customer_lookup", "ticket_management", "customer_lookup"], ["read", "write"]), null)).toEqual({
      ok: true,
      tools: ["customer_lookup", "ticket_management"],
      permissions: ["read", "write"],
      toolPermissions: { customer_lookup: ["read"], ticket_management: ["read", "write"] },
      approvalRequired: [],
    });
  });

  it("refuses a tool outside the policy, a tool that would carry nothing, and a permission no tool allows", () => {
    expect(scopeWithinPolicy(policy, ask(["drop_database"], ["read"]), null)).toMatchObject({ ok: false, field: "tools" });
    expect(scopeWithinPolicy(policy, ask(["customer_lookup", "ticket_management"], ["write"]), null)).toMatchObject({ ok: false, field: "permissions" });
    expect(scopeWithinPolicy(policy, ask(["customer_lookup"], ["read", "delete"]), null)).toMatchObject({
      ok: false,
      message: 'permissions: no requested tool is allowed "delete" by the policy',
    });
    expect(scopeWithinPolicy({ ...policy, permissions: [] }, ask(["customer_lookup"], ["read"]), null)).toMatchObject({ ok: false, field: "tools" });
  });

  it("keeps the policy's session length, empty scopes and approvals", () => {
    expect(scopeWithinPolicy(policy, ask(["customer_lookup"], ["read"], { ttl_seconds: 1801 }), null)).toMatchObject({ ok: false, field: "ttl_seconds" });
    const guarded = agentPolicySchema.parse({
      permissions: [
        { tool_name: "wire_transfer", allowed_actions: ["execute"], resource_scope: ["accounts.*"], requires_approval: true },
        { tool_name: "nothing", allowed_actions: ["read"], resource_scope: [] },
      ],
    });
    expect(scopeWithinPolicy(guarded, ask(["nothing"], ["read"]), null)).toMatchObject({ ok: false, field: "tools" });
    expect(scopeWithinPolicy(guarded, ask(["wire_transfer"], ["execute"]), null)).toMatchObject({ ok: false, field: "approval_id" });
    expect(scopeWithinPolicy(guarded, ask(["wire_transfer"], ["execute"], { approval_id: "APR-7" }), null)).toMatchObject({
      ok: true,
      approvalRequired: ["wire_transfer"],
    });
  });

  it("refuses an address outside the policy's ranges, and an unknown one, when it has ranges", () => {
    const fenced = { ...policy, allowed_ip_ranges: ["10.0.0.0/8"] };
    expect(scopeWithinPolicy(fenced, ask(["customer_lookup"], ["read"]), "10.1.2.3")).toMatchObject({ ok: true });
    expect(scopeWithinPolicy(fenced, ask(["customer_lookup"], ["read"]), "::ffff:10.1.2.3")).toMatchObject({ ok: true });
    expect(scopeWithinPolicy(fenced, ask(["customer_lookup"], ["read"]), "203.0.113.9")).toMatchObject({ ok: false, field: "source_address" });
    expect(scopeWithinPolicy(fenced, ask(["customer_lookup"], ["read"]), null)).toMatchObject({ ok: false, field: "source_address" });
  });

  it("holds a tool named __proto__ as the token's own key", () => {
    const odd = agentPolicySchema.parse({ permissions: [{ tool_name: "__proto__", allowed_actions: ["read"], resource_scope: ["*"] }] });
    const scope = scopeWithinPolicy(odd, ask(["__proto__"], ["read"]), null);
    expect(scope.ok && Object.hasOwn(scope.toolPermissions, "__proto__")).toBe(true);
    expect(scope.ok && JSON.parse(JSON.stringify(scope.toolPermissions))).toEqual(JSON.parse('{"__proto__":["read"]}'));
  });
});
