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

/**
 * The kill switch's state is unknown (the console or Redis cannot be reached, or cannot tell) and
 * the fail policy is "closed". A subclass, so one `catch (err instanceof AgentKilled)` stops the agent either way.
 */
export class KillSwitchUnavailable extends AgentKilled {
  constructor(reason: string) {
    super(reason, "unknown");
    this.name = "KillSwitchUnavailable";
  }
}

/** Raised by `verify()` for a message that must not be trusted, with the guide's reason. */
export class MessageRejected extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = "MessageRejected";
    this.reason = reason;
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
