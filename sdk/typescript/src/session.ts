import { OutputBlocked } from "./errors.js";
import { type ActionType, argsHash, eventLine, type LogFields, MAX_SUMMARY_CHARS, newEventId, summarize, truncate } from "./event.js";
import type { OutputFinding } from "./output-guard.js";

/** What a session needs from its client. */
export interface SessionHost {
  readonly agentId: string;
  /** Longest summary tool() writes. */
  readonly summaryChars: number;
  check(): void;
  enqueue(line: string, sessionId: string): void;
  findInOutput(text: string): OutputFinding | null;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface SessionOptions {
  /** When the session began, epoch seconds; now by default. session_elapsed_s counts from it. */
  startedAt?: number;
}

const nowSeconds = (): number => Date.now() / 1000;
const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * One agent session: `check()` before acting, `log()` each action, `tool(fn)` to do both around a
 * function. Numbers the actions and sums their cost as the guide's AgentLogger does.
 */
export class Session {
  readonly id: string;
  readonly startedAt: number;
  private sequence = 0;
  private totalCost = 0;

  constructor(
    private readonly host: SessionHost,
    id: string,
    options: SessionOptions = {},
  ) {
    this.id = id;
    this.startedAt = options.startedAt ?? nowSeconds();
  }

  /** Throws AgentKilled when this agent or every agent is killed, or (fail policy "closed") the state is unknown or stale. No network call. */
  check(): void {
    this.host.check();
  }

  /** Queues one action for the console and returns its event_id. Never blocks and never throws. */
  log(actionType: ActionType, actionName: string, fields: LogFields = {}): string {
    const eventId = newEventId();
    try {
      const timestamp = fields.timestamp ?? nowSeconds();
      this.sequence += 1;
      if (typeof fields.costUsd === "number" && Number.isFinite(fields.costUsd)) this.totalCost += fields.costUsd;
      const event = {
        timestamp,
        agent_id: this.host.agentId,
        session_id: this.id,
        action_type: actionType,
        action_name: actionName,
        input_summary: truncate(fields.inputSummary ?? "", MAX_SUMMARY_CHARS),
        output_summary: truncate(fields.outputSummary ?? "", MAX_SUMMARY_CHARS),
        duration_ms: fields.durationMs ?? 0,
        token_count: fields.tokenCount ?? undefined,
        cost_usd: fields.costUsd ?? undefined,
        tool_name: fields.toolName ?? undefined,
        tool_args_hash: fields.toolArgsHash ?? undefined,
        error: typeof fields.error === "string" ? truncate(fields.error, MAX_SUMMARY_CHARS) : undefined,
        security_flags: fields.securityFlags ?? undefined,
        metadata: fields.metadata ?? undefined,
        action_sequence: this.sequence,
        session_elapsed_s: Math.max(0, Number((timestamp - this.startedAt).toFixed(3))),
        // Rounded so that a sum of prices does not read 0.30000000000000004.
        session_total_cost_usd: Number(this.totalCost.toFixed(9)),
        event_id: eventId,
      };
      const { line, problem } = eventLine(event);
      if (problem) this.host.warn(problem, { event_id: eventId, action_name: actionName });
      this.host.enqueue(line, this.id);
    } catch (err) {
      this.host.warn(`an event could not be logged: ${errorText(err)}`, { event_id: eventId, action_name: String(actionName) });
    }
    return eventId;
  }

  /**
   * Wraps a function as a tool: check() before each call, then one event per call, timed, with the
   * arguments and the result summarised; a call that throws is logged as action_type "error" and rethrown.
   */
  tool<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  tool<A extends unknown[], R>(name: string, fn: (...args: A) => R): (...args: A) => R;
  tool<A extends unknown[], R>(nameOrFn: string | ((...args: A) => R), maybeFn?: (...args: A) => R): (...args: A) => R {
    const fn = typeof nameOrFn === "function" ? nameOrFn : maybeFn;
    if (typeof fn !== "function") throw new TypeError("tool() needs a function");
    const name = typeof nameOrFn === "string" ? nameOrFn : fn.name || "anonymous_tool";
    const session = this;
    const summaryChars = this.host.summaryChars;
    return function wrapped(this: unknown, ...args: A): R {
      session.check();
      const started = performance.now();
      const done = (failed: boolean, outcome: unknown) => {
        const max = summaryChars;
        const common = {
          toolName: name,
          toolArgsHash: argsHash(args),
          inputSummary: truncate(`${name}(${args.map((a) => summarize(a, max, true)).join(", ")})`, max),
          durationMs: Number((performance.now() - started).toFixed(3)),
        };
        if (failed) session.log("error", name, { ...common, error: errorText(outcome) });
        else session.log("tool_call", name, { ...common, outputSummary: summarize(outcome, max) });
      };
      let result: R;
      try {
        result = fn.apply(this, args);
      } catch (err) {
        done(true, err);
        throw err;
      }
      if (!isThenable(result)) {
        done(false, result);
        return result;
      }
      return Promise.resolve(result).then(
        (value) => {
          done(false, value);
          return value;
        },
        (err: unknown) => {
          done(true, err);
          throw err;
        },
      ) as R;
    };
  }

  /**
   * Returns `text` when it holds no canary and no forbidden pattern; otherwise logs a `security`
   * event (canary_token_leaked or forbidden_output_blocked, naming neither the token nor the text)
   * and throws OutputBlocked.
   */
  checkOutput(text: string): string {
    const finding = this.host.findInOutput(String(text));
    if (!finding) return text;
    if (finding.kind === "canary") {
      this.log("security", "canary_token_leaked", {
        inputSummary: `Canary "${finding.label}" appeared in output the agent was about to send; the output was blocked`,
        securityFlags: ["canary_token_leaked"],
        metadata: { token_context: finding.label, blocked: true },
      });
      throw new OutputBlocked(`Output blocked: it contains the canary token planted in ${finding.label}`, "canary");
    }
    this.log("security", "forbidden_output_blocked", {
      inputSummary: "Output the agent was about to send matched a forbidden pattern; the output was blocked",
      securityFlags: ["forbidden_output"],
      metadata: { pattern: finding.pattern, blocked: true },
    });
    throw new OutputBlocked(`Output blocked: it matches the forbidden pattern ${finding.pattern}`, "forbidden_pattern");
  }
}
