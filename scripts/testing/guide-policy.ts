/** The guide's support_agent_policy, as an admin would send it. */
export const SUPPORT_AGENT_POLICY = {
  agent_id: "support-agent-v1",
  role: "customer_support",
  permissions: [
    {
      tool_name: "customer_lookup",
      allowed_actions: ["read"],
      resource_scope: ["customers.name", "customers.email", "customers.plan"],
      rate_limit: 30,
      max_data_rows: 10,
    },
    { tool_name: "order_lookup", allowed_actions: ["read"], resource_scope: ["orders.id", "orders.status", "orders.total"], rate_limit: 30, max_data_rows: 20 },
    { tool_name: "ticket_management", allowed_actions: ["read", "write"], resource_scope: ["tickets.*"], rate_limit: 20 },
  ],
  max_session_duration_seconds: 1800,
  max_tool_calls_per_session: 100,
};
