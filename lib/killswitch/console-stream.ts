import type Redis from "ioredis";
import { AppError } from "@/lib/errors";
import { streamSlots } from "@/lib/stream-slots";
import { subscribeKillEvents } from "./event-bus";

/** Kill-switch streams one person or token may hold open at once (in each console process); a console tab holds one. */
export const CONSOLE_STREAMS_PER_IDENTITY = 10;
/** The caller is checked again this often while nothing happens, as well as before every message. */
export const CONSOLE_STREAM_RECHECK_MS = 10_000;
/** Messages held while the caller is checked again; each only makes the page refetch, so a longer burst is told by its latest. */
const HELD_MESSAGES = 100;

const identitySlots = streamSlots(
  CONSOLE_STREAMS_PER_IDENTITY,
  (open) =>
    new AppError(
      "RATE_LIMITED",
      `You already hold ${open} kill-switch streams, the limit of ${CONSOLE_STREAMS_PER_IDENTITY} per person or token; close a console tab first`,
      { headers: { "Retry-After": "10" }, details: { streams_per_identity: CONSOLE_STREAMS_PER_IDENTITY } },
    ),
);

/** Takes one of the caller's console stream slots (`holder`: the person or token), or refuses with 429; the release is safe to call twice. */
export function takeConsoleStreamSlot(holder: string): () => void {
  return identitySlots.take(holder);
}

export interface ConsoleWatcher {
  /** Whether the caller may still be told of changes; false, or a failure to check, ends the watch. */
  stillAllowed: () => Promise<boolean>;
  onChange: (message: string) => void;
  /** The watch ended because the caller may no longer be told (why: for the caller). */
  onRefused: (why: string) => void;
}

/**
 * Tells a console every kill-switch change while its caller is still allowed to know: checked again
 * before each message is delivered (messages arriving meanwhile wait for one more check, not one
 * each) and every `recheckMs`. Returns the clean-up.
 */
export function watchKillSwitchChanges(redis: Redis | null, watcher: ConsoleWatcher, recheckMs = CONSOLE_STREAM_RECHECK_MS): () => void {
  let held: string[] = [];
  let checkDue = false;
  let checking = false;
  let stopped = false;

  const drain = async () => {
    if (checking) return;
    checking = true;
    try {
      while (!stopped && (held.length > 0 || checkDue)) {
        const batch = held;
        held = [];
        checkDue = false;
        const refusal = await watcher.stillAllowed().then(
          (ok) => (ok ? null : "your session or token no longer allows this stream"),
          () => "your identity could not be checked again; reconnect",
        );
        if (stopped) return;
        if (refusal !== null) {
          stop();
          watcher.onRefused(refusal);
          return;
        }
        for (const message of batch) watcher.onChange(message);
      }
    } finally {
      checking = false;
    }
  };

  const unsubscribe = subscribeKillEvents(redis, (message) => {
    held.push(message);
    if (held.length > HELD_MESSAGES) held.splice(0, held.length - HELD_MESSAGES);
    void drain();
  });
  const poll = setInterval(() => {
    checkDue = true;
    void drain();
  }, recheckMs);
  poll.unref();

  const stop = () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    clearInterval(poll);
  };
  return stop;
}
