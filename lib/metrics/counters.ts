import { type SQL, sql } from "drizzle-orm";

/**
 * Adds rows of (family, agent_id, label, value, last_at) to the counters /metrics reports. It is a
 * part of the writer's own statement (a CTE body), so that a stored batch and what it counts stay
 * one round trip; rows sorted by the key keep concurrent batches from deadlocking.
 */
export function addToMetricCounters(rows: SQL): SQL {
  return sql`INSERT INTO metric_counters AS c (family, agent_id, label, value, last_at)
      ${rows}
      ON CONFLICT (family, agent_id, label) DO UPDATE SET
        value = c.value + excluded.value,
        last_at = greatest(c.last_at, excluded.last_at)`;
}
