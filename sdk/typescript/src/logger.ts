import { debuglog } from "node:util";

/**
 * Where the SDK says what happens to it (rejected records, retries, a lost connection, a kill).
 * `console` fits, as does any object with these methods; each is optional.
 */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

export type Level = "debug" | "info" | "warn" | "error";

/** Silent by default, so the SDK never writes into an agent's own output; NODE_DEBUG=agentsoc shows everything. */
export function defaultLogger(): Logger {
  const debug = debuglog("agentsoc");
  const write = (level: Level) => (message: string, fields?: Record<string, unknown>) => debug("%s %s%s", level, message, fields ? ` ${safeJson(fields)}` : "");
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return "[unserialisable fields]";
  }
}

/** Calls the logger without ever letting it throw into the SDK (a logger is the user's code). */
export function logTo(logger: Logger | null, level: Level, message: string, fields?: Record<string, unknown>): void {
  if (!logger) return;
  try {
    logger[level]?.(message, fields);
  } catch {
    // a broken logger must not break the agent
  }
}
