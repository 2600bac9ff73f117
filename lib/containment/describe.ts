import { formatCount } from "@/lib/format";
import type { Containment, ContainmentGrant, ContainmentRotation } from "./schemas";

/** The lines of the "What a kill stops" panel, from the dry-run's answer. Pure: the server and the browser say the same. */

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** "in 45 s", "in 4 min", "in 2 h 5 min"; "now" once passed. */
export function formatUntil(iso: string, nowMs: number): string {
  const seconds = Math.round((Date.parse(iso) - nowMs) / 1000);
  if (seconds <= 0) return "now";
  if (seconds < 60) return `in ${seconds} s`;
  if (seconds < 3600) return `in ${Math.floor(seconds / 60)} min`;
  const minutes = Math.floor((seconds % 3600) / 60);
  return `in ${Math.floor(seconds / 3600)} h${minutes ? ` ${minutes} min` : ""}`;
}

/** "12:04:31 UTC": the time of day alone, for an expiry within the hour. */
export function timeOfDayUtc(iso: string): string {
  return `${iso.slice(11, 19)} UTC`;
}

export function headline(c: Containment): string | null {
  if (c.global_kill) return "The global kill switch is on: every agent is stopped already.";
  if (c.killed) return "This agent is killed already: below is what is still live, and what was active in the window.";
  return null;
}

export function sessionsLine(c: Containment): string {
  const minutes = c.windows.sessions_in_flight_minutes;
  if (c.sessions_in_flight_total === 0) return `No session in flight (none with an event in the last ${minutes} min).`;
  return `${plural(c.sessions_in_flight_total, "session")} in flight (an event in the last ${minutes} min): a kill stops ${c.sessions_in_flight_total === 1 ? "it" : "them"} at the agent's next kill-switch check.`;
}

export function tokensLine(c: Containment, nowMs: number): string {
  const t = c.tool_tokens;
  const revoked =
    t.revoked_unexpired > 0 ? ` ${plural(t.revoked_unexpired, "revoked token")} not yet expired: tools that follow the revocation list refuse them.` : "";
  if (t.live === 0 || t.last_expires_at === null) return `No live tool tokens.${revoked}`;
  const when = `${timeOfDayUtc(t.last_expires_at)} (${formatUntil(t.last_expires_at, nowMs)})`;
  const lead = t.live === 1 ? `1 tool token, it expires ${when}` : `${plural(t.live, "tool token")}, the last expires ${when}`;
  return `${lead}; a kill revokes ${t.live === 1 ? "it" : "them"} at once.${revoked}`;
}

/** One dependent: the warning a responder reads before pressing Kill. */
export function dependentLine(g: ContainmentGrant, hours: number): string {
  if (g.expired) return `${g.source_agent} depends on it through an expired grant (its requests are refused already).`;
  if (g.requests_24h === 0) return `${g.source_agent} depends on it: no requests in ${hours} h.`;
  return `${g.source_agent} depends on it: ${plural(g.requests_24h, "request")} in ${hours} h.`;
}

export function dependentsLine(c: Containment): string {
  const inForce = c.dependents.filter((g) => !g.expired);
  if (inForce.length === 0) return "No agent depends on it through a capability grant in force.";
  const busy = inForce.filter((g) => g.requests_24h > 0).length;
  return `${plural(inForce.length, "agent")} depend${inForce.length === 1 ? "s" : ""} on it through capability grants; ${formatCount(busy)} asked it in the last ${c.windows.requests_hours} h. Their requests fail once it stops.`;
}

export function dependsOnLine(c: Containment): string {
  if (c.depends_on.length === 0) return "It holds no capability grant to ask other agents.";
  return `It may ask ${plural(c.depends_on.length, "agent")}: a kill stops its requests to them.`;
}

export function rotationLine(r: ContainmentRotation, nowMs: number): string {
  if (r.automatic) return `rotating (step ${r.step ?? "?"}${r.next_due_at ? `, next attempt ${formatUntil(r.next_due_at, nowMs)}` : ""})`;
  switch (r.last_run_state) {
    case "never_rotated":
      return "never rotated";
    case "rotated":
      return "last rotation succeeded";
    case "failed":
      return "last rotation failed";
    default:
      return r.last_run_state;
  }
}

export function rotationsLine(c: Containment): string {
  if (c.rotations === null) return "Credential rotations are shown to analysts and above.";
  const running = c.rotations.filter((r) => r.automatic).length;
  const total = plural(c.rotations.length, "credential");
  if (running === 0) return `${total}; no rotation running (the console schedules none). A kill does not rotate them.`;
  return `${total}; ${plural(running, "rotation")} running: the worker carries ${running === 1 ? "it" : "them"} on after a kill.`;
}
