/**
 * Raised by `check()` when the agent must stop: this agent or every agent was killed, or (with the
 * default fail policy "closed") the kill switch's state is unknown or too old to trust.
 */
export class AgentKilled extends Error {
  /** "killed": the console or Redis says stop. "unknown": no fresh state, and the fail policy is "closed". */
  readonly kind: "killed" | "unknown";
  readonly reason: string;

  constructor(reason: string, kind: "killed" | "unknown" = "killed") {
    super(reason);
    this.name = "AgentKilled";
    this.reason = reason;
    this.kind = kind;
  }
}

/** Raised by `checkOutput(text)` when text the agent is about to send holds a canary token or a forbidden pattern. */
export class OutputBlocked extends Error {
  readonly kind: "canary" | "forbidden_pattern";
  readonly reason: string;

  constructor(reason: string, kind: "canary" | "forbidden_pattern") {
    super(reason);
    this.name = "OutputBlocked";
    this.reason = reason;
    this.kind = kind;
  }
}

/** A setting the client cannot work without is missing or malformed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
