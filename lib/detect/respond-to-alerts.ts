import type { Db } from "@/db/client";
import { describeError } from "@/lib/errors";
import { applyKillPolicies, type KillSignal, type KillSwitchSettings } from "@/lib/killswitch";
import { kickNotificationDelivery } from "@/lib/notify";
import type { OpenedAlert } from "./types";

/** The kill-policy signal an alert sends, if any: a leaked registered canary, or anything critical. */
export function killSignalFor(alert: OpenedAlert): KillSignal | null {
  const detail = `alert #${alert.id}: ${alert.detail}`;
  if (alert.type === "canary_leak" && alert.severity === "critical") return { kind: "canary_leak", agentId: alert.agentId, detail };
  if (alert.severity === "critical") return { kind: "critical_alert", agentId: alert.agentId, detail };
  return null;
}

/**
 * After the batch that opened these alerts committed: notifications go out, and the agent's
 * automatic kill policies act. Failures are logged, never thrown: the batch is already acknowledged.
 */
export async function respondToAlerts(db: Db, settings: KillSwitchSettings, opened: OpenedAlert[]): Promise<void> {
  if (opened.length === 0) return;
  kickNotificationDelivery();
  const signals = opened.map(killSignalFor).filter((s): s is KillSignal => s !== null);
  // A canary leak is the more specific reason; the first policy that fires kills, the rest find the agent killed.
  signals.sort((a, b) => (a.kind === "canary_leak" ? -1 : 0) - (b.kind === "canary_leak" ? -1 : 0));
  for (const signal of signals) {
    try {
      await applyKillPolicies({ db, settings, signal });
    } catch (err) {
      console.error(`[policy] automatic response to ${signal.kind} for ${signal.agentId} failed: ${describeError(err)}`);
    }
  }
}
