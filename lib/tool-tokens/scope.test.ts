import { describe, expect, it } from "vitest";
import { agentPolicySchema } from "@/lib/policy/policy";
import { SUPPORT_AGENT_POLICY } from "@/scripts/testing/guide-policy";
import { scopeWithinPolicy } from "./scope";

const policy = agentPolicySchema.parse(SUPPORT_AGENT_POLICY);

describe("scopeWithinPolicy", () => {
  it("gives each tool only the requested permissions its own line allows", () => {
    expect(scopeWithinPolicy(policy, ["customer_lookup", "ticket_management", "customer_lookup"], ["read", "write"])).toEqual({
      ok: true,
      tools: ["customer_lookup", "ticket_management"],
      permissions: ["read", "write"],
      toolPermissions: { customer_lookup: ["read"], ticket_management: ["read", "write"] },
    });
  });

  it("refuses a tool outside the policy, a tool that would carry nothing, and a permission no tool allows", () => {
    expect(scopeWithinPolicy(policy, ["drop_database"], ["read"])).toMatchObject({ ok: false, field: "tools" });
    expect(scopeWithinPolicy(policy, ["customer_lookup", "ticket_management"], ["write"])).toMatchObject({ ok: false, field: "permissions" });
    expect(scopeWithinPolicy(policy, ["customer_lookup"], ["read", "delete"])).toMatchObject({
      ok: false,
      message: 'permissions: no requested tool is allowed "delete" by the policy',
    });
    expect(scopeWithinPolicy({ ...policy, permissions: [] }, ["customer_lookup"], ["read"])).toMatchObject({ ok: false, field: "tools" });
  });
});
