import { randomUUID } from "node:crypto";
import type { AgentEvent } from "@/lib/ingest/schemas";

const TOOLS = ["customer_lookup", "kb_search", "ticket_update", "send_email", "web_search", "run_python"];
const PII = [
  "contact jane.roe@example.com about the refund",
  "card on file 4111 1111 1111 1111 was declined",
  "caller gave SSN 123-45-6789 for verification",
  "call back on (415) 555-0132 after 5pm",
  "retry with api_key=sk_live_4eC39HqLyjWDarjtT1zdp7dc",
];

/** ~550-byte events as agents send them: summaries of a few hundred characters, one in ten carrying PII. */
export function benchEvents(agentId: string, count: number, seed: number): AgentEvent[] {
  const sessionId = `bench_${agentId}_${seed}`;
  const start = Date.now() / 1000 - 600;
  return Array.from({ length: count }, (_, i) => {
    const tool = TOOLS[(seed + i) % TOOLS.length] ?? "kb_search";
    const isTool = i % 2 === 0;
    const pii = (seed * 31 + i) % 10 === 0 ? ` ${PII[(seed + i) % PII.length]}` : "";
    return {
      event_id: randomUUID(),
      timestamp: start + i * 0.05,
      agent_id: agentId,
      session_id: sessionId,
      action_type: isTool ? "tool_call" : "llm_call",
      action_name: isTool ? tool : "claude-sonnet",
      tool_name: isTool ? tool : null,
      tool_args_hash: isTool ? "9f2c1a7be04d33e1" : null,
      input_summary: isTool
        ? `customer_id=cust_${(seed * 7919 + i) % 100000} query="status of order ${i} and shipping estimate for region eu-west"${pii}`
        : `tokens=${800 + (i % 900)} prompt="summarise the customer's last three tickets and propose a next step"`,
      output_summary: isTool
        ? `order found: status=shipped carrier=DHL eta=2 days items=3 total=129.90 EUR, notes: customer prefers email updates${pii}`
        : `tokens=${120 + (i % 300)} "The customer reported a delayed shipment; propose a refund of shipping costs."`,
      duration_ms: 40 + (i % 400),
      token_count: isTool ? null : 1000 + (i % 1000),
      cost_usd: isTool ? null : 0.0042,
      security_flags: [],
      metadata: { model: "claude-sonnet", region: "eu-west-1", step: i },
      action_sequence: i + 1,
      session_elapsed_s: i * 0.05,
      session_total_cost_usd: i * 0.0021,
    };
  });
}
