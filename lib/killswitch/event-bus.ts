import { EventEmitter } from "node:events";
import type Redis from "ioredis";
import { CONSOLE_CHANNEL, EVENTS_CHANNEL } from "./contract";

/**
 * One Redis subscription per process, fanned out to every open console and agent stream, instead of
 * a Redis connection per browser tab.
 */
const bus = new EventEmitter();
bus.setMaxListeners(0);
let subscriber: Redis | null = null;

/** `channel` tells the agents' messages (EVENTS_CHANNEL) from the console's own (CONSOLE_CHANNEL). */
export function subscribeKillEvents(redis: Redis | null, listener: (message: string, channel: string) => void): () => void {
  if (redis && !subscriber) {
    subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber.on("error", () => undefined);
    subscriber.on("message", (channel: string, message: string) => bus.emit("message", message, channel));
    void subscriber.subscribe(EVENTS_CHANNEL, CONSOLE_CHANNEL).catch(() => undefined);
  }
  // One listener's failure (a closed stream, a message that is not JSON) must not keep the rest from hearing.
  const safe = (message: string, channel: string) => {
    try {
      listener(message, channel);
    } catch {
      // ignored: that listener's stream is gone or could not use the message
    }
  };
  bus.on("message", safe);
  return () => bus.off("message", safe);
}

export async function closeKillEventBus(): Promise<void> {
  const s = subscriber;
  subscriber = null;
  await s?.quit().catch(() => s.disconnect());
}
