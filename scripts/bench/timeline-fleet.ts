import pg from "pg";
import type { Db } from "@/db/client";
import { dayStart, ensureDayPartitions } from "@/lib/ingest/partitions";

const DAY_MS = 86_400_000;
/** Sessions each fleet agent keeps open at once, and events per session. */
const CONCURRENT_SESSIONS = 100;
const EVENTS_PER_SESSION = 200;
const TOOLS = ["customer_lookup", "kb_search", "ticket_update", "send_email", "web_search", "run_python", "crm_update", "invoice_lookup"];

export interface FleetPlan {
  events: number;
  agents: number;
  /** The events are spread evenly, in arrival order, over [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  chunk: number;
  writers: number;
}

export const fleetAgentId = (n: number) => `fleet-agent-${String(n).padStart(2, "0")}`;
export const fleetSessionCount = (events: number) => Math.ceil(events / EVENTS_PER_SESSION);

/**
 * One statement per chunk of rows [$1, $2): generated in arrival order (time rises with the row
 * number) by a fleet of agents each running CONCURRENT_SESSIONS / agents sessions at once, with
 * summaries of about 300 characters; the inserted rows are rolled into `sessions` as ingest does.
 */
const INSERT_CHUNK = `
WITH g AS (
  SELECT i,
    (i / ${CONCURRENT_SESSIONS * EVENTS_PER_SESSION}) * ${CONCURRENT_SESSIONS} + (i % ${CONCURRENT_SESSIONS}) AS s,
    (i / ${CONCURRENT_SESSIONS}) % ${EVENTS_PER_SESSION} AS p,
    (i * 7) % 20 AS k
  FROM generate_series($1::int8, $2::int8 - 1) AS i
), r AS (
  SELECT i, s, p,
    timestamptz 'epoch' + ($3::int8 + (i * $4::int8) / $5::int8) * interval '1 microsecond' AS ts,
    'fleet-agent-' || lpad((s % $6::int4)::text, 2, '0') AS agent_id,
    'sess_' || substr(md5('fleet' || s::text), 1, 20) AS session_id,
    CASE WHEN k < 9 THEN 'tool_call' WHEN k < 18 THEN 'llm_call' WHEN k = 18 THEN 'decision' ELSE 'error' END AS action_type,
    ($7::text[])[1 + ((s + p) % ${TOOLS.length})] AS tool
  FROM g
), ins AS (
  INSERT INTO events (ts, event_id, agent_id, session_id, action_type, action_name, input_summary, output_summary,
    duration_ms, token_count, cost_usd, tool_name, tool_args_hash, error, security_flags, metadata, action_sequence,
    session_elapsed_s, session_total_cost_usd, redactions)
  SELECT ts, gen_random_uuid(), agent_id, session_id, action_type,
    CASE action_type WHEN 'tool_call' THEN tool WHEN 'llm_call' THEN 'claude-sonnet' WHEN 'decision' THEN 'route_ticket' ELSE 'tool_error' END,
    CASE action_type
      WHEN 'tool_call' THEN 'customer_id=cust_' || (i % 100000) || ' ticket=TCK-' || (10000 + s % 90000) || ' query="' || tool ||
        ' for step ' || p || ': fetch the order history, shipping status, open refunds and the last three support conversations,' ||
        ' then list anything the agent must know before it replies to the customer in region eu-west-1 (locale en-GB)"'
      ELSE 'tokens=' || (800 + i % 1500) || ' prompt="You are a support agent. Summarise the customer''s last three tickets,' ||
        ' the state of order ORD-' || (i % 1000000) || ' and the refund policy that applies, then propose the next step and' ||
        ' draft a short, polite reply that cites the policy section and the expected delivery date."'
    END,
    CASE action_type
      WHEN 'tool_call' THEN 'order ORD-' || (i % 1000000) || ' found: status=shipped carrier=DHL tracking=JD0146000' || (i % 100000) ||
        ' eta=2 days items=3 total=129.90 EUR; refund requests: none open; last contact 4 days ago by chat, sentiment neutral;' ||
        ' notes: customer prefers email updates, VIP tier silver, no chargebacks on record'
      WHEN 'error' THEN ''
      ELSE 'tokens=' || (120 + i % 300) || ' "The customer reported a delayed shipment of order ORD-' || (i % 1000000) ||
        '. Tracking shows it left the hub yesterday. Propose refunding the shipping costs under policy 4.2 and send the' ||
        ' tracking link; no escalation needed unless it has not arrived within three working days."'
    END,
    20 + (i % 900),
    CASE WHEN action_type = 'llm_call' THEN 800 + (i % 1500)::int END,
    CASE WHEN action_type = 'llm_call' THEN 0.003 + (i % 100) * 0.00005 END,
    CASE WHEN action_type = 'tool_call' THEN tool END,
    CASE WHEN action_type = 'tool_call' THEN lpad(to_hex((i * 2654435761) % 4294967296), 16, '0') END,
    CASE WHEN action_type = 'error' THEN 'upstream ' || tool || ' timed out after 30000 ms' END,
    '[]'::jsonb,
    CASE WHEN action_type = 'tool_call'
      THEN jsonb_build_object('region', 'eu-west-1', 'step', p, 'trace_id', to_hex(i), 'table', 'customers')
      ELSE jsonb_build_object('model', 'claude-sonnet', 'region', 'eu-west-1', 'step', p, 'trace_id', to_hex(i))
    END,
    p + 1,
    (p * ${CONCURRENT_SESSIONS} * $4::int8 / $5::int8) / 1e6,
    p * 0.0021,
    NULL
  FROM r
  RETURNING ts, agent_id, session_id, action_type, cost_usd, token_count
)
INSERT INTO sessions AS s (session_id, agent_id, started_at, last_event_at, event_count, cost_usd, tokens, error_count, tool_calls, llm_calls)
SELECT session_id, agent_id, min(ts), max(ts), count(*), coalesce(sum(cost_usd), 0), coalesce(sum(token_count::int8), 0),
  count(*) FILTER (WHERE action_type = 'error'), count(*) FILTER (WHERE action_type = 'tool_call'),
  count(*) FILTER (WHERE action_type = 'llm_call')
FROM ins GROUP BY session_id, agent_id
ON CONFLICT (session_id, agent_id) DO UPDATE SET
  started_at = least(s.started_at, excluded.started_at),
  last_event_at = greatest(s.last_event_at, excluded.last_event_at),
  event_count = s.event_count + excluded.event_count,
  cost_usd = s.cost_usd + excluded.cost_usd,
  tokens = s.tokens + excluded.tokens,
  error_count = s.error_count + excluded.error_count,
  tool_calls = s.tool_calls + excluded.tool_calls,
  llm_calls = s.llm_calls + excluded.llm_calls`;

/**
 * Writes the fleet's events straight in SQL. Each writer takes a contiguous run of chunks, so two
 * writers never upsert the same session row at the same time (a session spans fewer rows than a chunk).
 */
export async function seedFleetEvents(db: Db, databaseUrl: string, plan: FleetPlan, log: (m: string) => void): Promise<void> {
  const days: number[] = [];
  for (let d = dayStart(plan.fromMs); d <= dayStart(plan.toMs); d += DAY_MS) days.push(d);
  await ensureDayPartitions(db, days);

  const chunks: [number, number][] = [];
  for (let from = 0; from < plan.events; from += plan.chunk) chunks.push([from, Math.min(plan.events, from + plan.chunk)]);
  const writers = Math.max(1, Math.min(plan.writers, chunks.length));
  const perWriter = Math.ceil(chunks.length / writers);
  const spanMicros = Math.round((plan.toMs - plan.fromMs) * 1000);
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        // Durability of a throw-away bench database is not what is measured.
        await client.query("SET synchronous_commit = off");
        for (const [from, to] of chunks.slice(w * perWriter, (w + 1) * perWriter)) {
          await client.query(INSERT_CHUNK, [from, to, plan.fromMs * 1000, spanMicros, plan.events, plan.agents, TOOLS]);
          done += to - from;
          log(`fleet events: ${done.toLocaleString("en-US")} / ${plan.events.toLocaleString("en-US")}`);
        }
      } finally {
        await client.end();
      }
    }),
  );
}
