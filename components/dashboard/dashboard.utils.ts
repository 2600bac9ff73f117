import type { ActivityPoint } from "@/lib/dashboard/views";

export const ACTION_SERIES = ["llm_call", "tool_call", "decision", "error", "security"] as const;

export interface RatePoint {
  t: number;
  llm_call: number;
  tool_call: number;
  decision: number;
  error: number;
  security: number;
}

/**
 * Every bucket from `sinceMs` up to `nowMs`, with events per minute by action type: buckets without
 * events are zero, not missing, so a quiet minute looks quiet instead of being interpolated away.
 */
export function activityRates(points: ActivityPoint[], sinceMs: number, nowMs: number, bucketSeconds: number): RatePoint[] {
  const bucketMs = bucketSeconds * 1000;
  const minutes = bucketSeconds / 60;
  const byTime = new Map(points.map((p) => [p.t, p]));
  const out: RatePoint[] = [];
  for (let t = sinceMs; t <= nowMs; t += bucketMs) {
    const p = byTime.get(t);
    const rate = (n: number | undefined) => Math.round(((n ?? 0) / minutes) * 100) / 100;
    out.push({
      t,
      llm_call: rate(p?.llm_call),
      tool_call: rate(p?.tool_call),
      decision: rate(p?.decision),
      error: rate(p?.error),
      security: rate(p?.security),
    });
  }
  return out;
}

export function formatBucketTime(t: number, bucketSeconds: number): string {
  const iso = new Date(t).toISOString();
  return bucketSeconds >= 3600 ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : iso.slice(11, 16);
}
