export type FailPolicy = "closed" | "open";

/** What the console (or Redis) last said about this agent. */
export interface KnownStatus {
  alive: boolean;
  reason: string;
  /** "redis" or "record" from the console's stream; "redis-direct" when read from Redis by this SDK. */
  source: string;
}

export type Decision = { allowed: true; warning: string | null } | { allowed: false; kind: "killed" | "unknown"; reason: string };

/**
 * The kill switch as this process knows it, and what `check()` decides from it. A kill holds until
 * a revive is heard, however old. "Alive" holds while the push channel is open (the console tells
 * every change at once) and for `staleAfterMs` after it was last confirmed; past that, or when the
 * source says it cannot tell, the fail policy decides.
 */
export class KillState {
  private status: KnownStatus | null = null;
  private confirmedAtMs: number | null = null;
  /** The status stream is open: a change would reach us at once, so what we know is current. */
  private live = false;
  private unknownReason: string | null = "kill switch state not known yet (await client.ready() before the first check)";
  /** Why the source has gone quiet, when known (a refused connection, a timeout), for the stale message. */
  private trouble: string | null = null;

  constructor(
    private readonly policy: FailPolicy,
    private readonly staleAfterMs: number,
  ) {}

  /** Records a status heard now (over an open push channel when `live`); returns true for a new kill. */
  heard(status: KnownStatus, nowMs: number, live: boolean): boolean {
    const wasKilled = this.status !== null && !this.status.alive;
    this.status = status;
    this.confirmedAtMs = nowMs;
    this.live = live;
    this.unknownReason = null;
    this.trouble = null;
    return !status.alive && !wasKilled;
  }

  /** The source cannot be reached or read; what is known holds until the staleness runs out from the last data heard. */
  down(reason: string, lastDataAtMs: number | null): void {
    if (this.live && lastDataAtMs !== null && this.confirmedAtMs !== null) this.confirmedAtMs = Math.max(this.confirmedAtMs, lastDataAtMs);
    this.live = false;
    this.trouble = reason;
  }

  /** The source answered that it cannot tell (the console's "status unavailable"): only a kill already known still holds. */
  unknown(reason: string): void {
    this.unknownReason = reason;
    this.live = false;
    if (this.status?.alive) {
      this.status = null;
      this.confirmedAtMs = null;
    }
  }

  get known(): KnownStatus | null {
    return this.status;
  }

  get lastConfirmedMs(): number | null {
    return this.confirmedAtMs;
  }

  decide(nowMs: number): Decision {
    if (this.status && !this.status.alive) return { allowed: false, kind: "killed", reason: this.status.reason };
    const age = this.confirmedAtMs === null ? null : nowMs - this.confirmedAtMs;
    if (this.status && (this.live || (age !== null && age <= this.staleAfterMs))) return { allowed: true, warning: null };
    const why =
      (this.status
        ? `kill switch state is stale: last confirmed ${((age ?? 0) / 1000).toFixed(1)} s ago, more than the ${this.staleAfterMs / 1000} s allowed`
        : (this.unknownReason ?? "kill switch state not known")) + (this.trouble ? ` (${this.trouble})` : "");
    if (this.policy === "open") return { allowed: true, warning: why };
    return { allowed: false, kind: "unknown", reason: `${why}; fail policy "closed" stops the agent` };
  }
}
