export { type CanaryOptions, Client, type ClientStats, type KillSwitchView } from "./client.js";
export type { ClientOptions } from "./config.js";
export { AgentKilled, ConfigError, KillSwitchUnavailable, MessageRejected, OutputBlocked, type ToolTokenRefusalReason, ToolTokenRefused } from "./errors.js";
export type { ActionType, LogFields } from "./event.js";
export type { FailPolicy } from "./kill-state.js";
export type { Logger } from "./logger.js";
export type { Canary } from "./output-guard.js";
export type { SenderStats } from "./sender.js";
export { Session, type SessionOptions } from "./session.js";
export { MessageSigner, type MessageSignerOptions, type OutgoingMessage, type SecureAgentMessage, signableString } from "./signing.js";
export {
  jwkThumbprint,
  type RefusalReporter,
  type RevokedToken,
  type ToolTokenClaims,
  ToolTokenVerifier,
  type ToolTokenVerifierOptions,
  verifyToolToken,
} from "./tool-tokens.js";
