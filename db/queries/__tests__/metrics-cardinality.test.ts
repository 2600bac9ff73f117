import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as ingest } from "@/app/api/v1/ingest/route";
import { GET as getMetrics } from "@/app/metrics/route";
import type { AgentEvent } from "@/lib/ingest";
import { bearer, makeEvent, newAgent } from "@/scripts/testing/fixtures";

async function send(key: string, events: AgentEvent[]) {
  const res = await ingest(
    new Request("http://soc.test/api/v1/ingest", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(events),
    }),
  );
  expect(res.status).toBe(200);
}

const SAMPLE_RE = /^(\w+)\{agent_id="([^"]*)",(\w+)="((?:[^"\\]|\\.)*)"\} (\S+)$/;

/** An agent's samples of one family, by the value of its second label. */
function samplesOf(text: string, family: string, agentId: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = SAMPLE_RE.exec(line);
    if (m && m[1] === family && m[2] === agentId) samples.set(m[4] ?? "", Number(m[5]));
  }
  return samples;
}

const sum = (samples: Map<string, number>) => [...samples.values()].reduce((a, b) => a + b, 0);

describe("GET /metrics with agents that name many tools, reports and sessions (issue 14)", () => {
  it('shows each agent\'s 100 most called tools and agent-named security reports, sums the rest under "other", and its 50 costliest live sessions', async () => {
    const flood = await newAgent({ rateLimitPerMin: 10_000 });
    const calm = await newAgent();
    const main = `sess_${randomUUID().slice(0, 8)}`;
    const event = (overrides: Partial<AgentEvent>) => makeEvent(flood.agentId, { session_id: main, ...overrides });
    const tool = (name: string) => event({ action_name: name, tool_name: name });
    const report = (name: string) => event({ action_type: "security", action_name: name, tool_name: null });
    const costly = Array.from({ length: 60 }, (_, i) => `sess_${randomUUID().slice(0, 8)}_${i}`);
    await send(flood.key, [
      ...Array.from({ length: 5 }, () => tool("kb_search")),
      ...Array.from({ length: 3 }, () => tool("crm_update")),
      ...Array.from({ length: 250 }, (_, i) => tool(`tool_${i}`)),
      // Reported twice each, so the console's own detection (once) is the least frequent security label.
      ...Array.from({ length: 130 }, (_, i) => [report(`report_${i}`), report(`report_${i}`)]).flat(),
      tool("crm_update"),
      event({ action_name: "mailer", tool_name: "mailer", input_summary: "to jane.roe@example.com" }),
      ...costly.map((session_id, i) => event({ session_id, action_type: "llm_call", action_name: "gpt", tool_name: null, cost_usd: (i + 1) / 100 })),
    ]);
    await send(calm.key, [makeEvent(calm.agentId, { session_id: main, cost_usd: 0.5 }), makeEvent(calm.agentId, { session_id: main, tool_name: "kb_fetch" })]);

    const res = await getMetrics(new Request("http://soc.test/metrics", { headers: await bearer("viewer") }));
    expect(res.status).toBe(200);
    const text = await res.text();

    const tools = samplesOf(text, "agent_tool_calls_total", flood.agentId);
    expect(tools.size).toBe(101);
    expect(tools.get("kb_search")).toBe(5);
    expect(tools.get("crm_update")).toBe(4);
    expect(tools.get("mailer")).toBe(1);
    expect(tools.get("other")).toBe(250 - 97);
    expect(sum(tools)).toBe(5 + 4 + 1 + 250);

    const security = samplesOf(text, "agent_security_events_total", flood.agentId);
    expect(security.get("pii_in_tool_input")).toBe(1);
    expect(security.get("other")).toBe(30 * 2);
    expect(security.size).toBe(100 + 2);
    expect(sum(security)).toBe(130 * 2 + 1);

    const sessions = samplesOf(text, "agent_session_cost_usd", flood.agentId);
    expect([...sessions.keys()].sort()).toEqual(costly.slice(10).sort());

    expect(samplesOf(text, "agent_tool_calls_total", calm.agentId)).toEqual(
      new Map([
        ["customer_lookup", 1],
        ["kb_fetch", 1],
      ]),
    );
    expect(samplesOf(text, "agent_session_cost_usd", calm.agentId)).toEqual(new Map([[main, 0.5]]));
  });
});
