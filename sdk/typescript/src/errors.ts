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

/** The guide's event names for a refused tool token. */
export type ToolTokenRefusalReason =
  | "agent_token_expired"
  | "agent_token_invalid"
  | "agent_token_revoked"
  | "agent_tool_unauthorized"
  | "agent_permission_denied";

/** Raised by `requireToolToken()` for a tool token that does not grant the call: the guide's reason, and why in words. */
export class ToolTokenRefused extends Error {
  readonly reason: ToolTokenRefusalReason;
  readonly detail: string;
  /** The token's sub (the calling agent) when its signature verified, else null. */
  readonly agentId: string | null;

  constructor(reason: ToolTokenRefusalReason, detail: string, agentId: string | null = null) {
    super(`${reason}: ${detail}`);
    this.name = "ToolTokenRefused";
    this.reason = reason;
    this.detail = detail;
    this.agentId = agentId;
  }
}
