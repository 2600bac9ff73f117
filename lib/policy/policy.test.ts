import { describe, expect, it } from "vitest";
import { agentPolicySchema, diffPolicies, inScope, storedPolicy } from "./policy";

const tool = (tool_name: string, extra: Record<string, unknown> = {}) => ({ tool_name, allowed_actions: ["read"], resource_scope: [], ...extra });
const issues = (value: unknown) => {
  const parsed = agentPolicySchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("agentPolicySchema", () => {
  it("fills in the guide's defaults", () => {
    expect(agentPolicySchema.parse({ permissions: [tool("kb_search")] })).toEqual({
      role: "",
      permissions: [{ tool_name: "kb_search", allowed_actions: ["read"], resource_scope: [], rate_limit: 100, requires_approval: false, max_data_rows: 100 }],
      allowed_ip_ranges: [],
      max_session_duration_seconds: 3600,
      max_tool_calls_per_session: 500,
    });
  });

  it("names the field and the reason for hostile or wrong input", () => {
    expect(issues({ permissions: [tool("a\u0000b")] })).toEqual([
      "permissions.0.tool_name: tool_name: contains a NUL character (\\u0000), which cannot be stored",
    ]);
    expect(issues({ permissions: [tool("a\uD800")] })).toEqual([
      "permissions.0.tool_name: tool_name: contains a lone surrogate (not valid Unicode), which cannot be stored",
    ]);
    expect(issues({ permissions: [tool("a\nb")] })).toEqual(["permissions.0.tool_name: tool_name: contains a control character"]);
    expect(issues({ permissions: [tool("x"), tool("y"), tool("x")] })).toEqual(['permissions.2.tool_name: tool_name: "x" is already granted in permissions.0']);
    expect(issues({ permissions: [tool("x", { allowed_actions: ["sudo"] })] })[0]).toMatch(/^permissions\.0\.allowed_actions\.0: /);
    expect(issues({ permissions: [tool("x", { resource_scope: ["ok", "bad\u0000"] })] })).toEqual([
      "permissions.0.resource_scope.1: resource_scope entry: contains a NUL character (\\u0000), which cannot be stored",
    ]);
    expect(issues({ permissions: [], allowed_ip_ranges: ["10.0.0.0/8", "not a range"] })[0]).toMatch(/^allowed_ip_ranges\.1: /);
    expect(issues({ permissions: [], rate_limit: 5 })[0]).toMatch(/Unrecognized key/);
    expect(issues({})[0]).toMatch(/^permissions: /);
  });

  it("keeps markup, % and shell syntax as plain names", () => {
    const names = ["<script>alert(1)</script>", "100%_off", "$(id)`whoami`", "../../etc/passwd"];
    expect(agentPolicySchema.parse({ permissions: names.map((n) => tool(n)) }).permissions.map((p) => p.tool_name)).toEqual(names);
  });
});

describe("inScope", () => {
  it("matches exact names, and prefixes only where the entry ends in *", () => {
    expect(inScope(["tickets.*"], "tickets.1")).toBe(true);
    expect(inScope(["tickets.*"], "tickets")).toBe(false);
    expect(inScope(["customers.name"], "customers.name.full")).toBe(false);
    expect(inScope(["*"], "anything")).toBe(true);
    expect(inScope([], "anything")).toBe(false);
    expect(inScope(["a%"], "ab")).toBe(false);
  });
});

describe("diffPolicies", () => {
  it("lists tools added and removed and each field changed, ignoring the order of sets", () => {
    const before = agentPolicySchema.parse({ permissions: [tool("a", { allowed_actions: ["read", "write"] }), tool("b")], max_tool_calls_per_session: 10 });
    const after = agentPolicySchema.parse({
      permissions: [tool("a", { allowed_actions: ["write", "read"], rate_limit: 5 }), tool("c")],
      max_tool_calls_per_session: 10,
    });
    expect(diffPolicies(before, after)).toEqual({ added_tools: ["c"], removed_tools: ["b"], changed: [{ field: "a.rate_limit", before: 100, after: 5 }] });
    expect(diffPolicies(null, after).added_tools).toEqual(["a", "c"]);
    expect(diffPolicies(after, null)).toEqual({ added_tools: [], removed_tools: ["a", "c"], changed: [] });
    expect(diffPolicies(before, { ...before, role: "support", max_tool_calls_per_session: 20 }).changed).toEqual([
      { field: "role", before: "", after: "support" },
      { field: "max_tool_calls_per_session", before: 10, after: 20 },
    ]);
  });
});

describe("storedPolicy", () => {
  it("reads what parses and treats an older shape as none", () => {
    expect(storedPolicy({ permissions: [tool("a")] })?.permissions).toHaveLength(1);
    expect(storedPolicy({ tools: ["a"] })).toBeNull();
    expect(storedPolicy(null)).toBeNull();
  });

  it("says what a range is, and refuses an IPv4-mapped range whose prefix reads like an IPv4 one", () => {
    const parse = (range: string) => agentPolicySchema.safeParse({ permissions: [], allowed_ip_ranges: [range] });
    expect(parse("10.0.0.1").error?.issues[0]?.message).toContain("an address and a prefix length");
    expect(parse("::ffff:10.0.0.0/8").error?.issues[0]?.message).toContain("::ffff:10.0.0.0/104 is 10.0.0.0/8");
    for (const good of ["::ffff:10.0.0.0/104", "10.0.0.0/8", "2001:db8::/32"]) expect(parse(good).success).toBe(true);
  });
});
