import type { DestinationView } from "@/lib/notify/views";

export const KINDS = [
  ["slack", "Slack incoming webhook"],
  ["json", "Generic JSON (signed)"],
] as const;
export const KIND_LABEL: Record<DestinationView["kind"], string> = { slack: "Slack", json: "JSON, signed" };

/** A secret the console shows once: a destination's signing key. */
export type Shown = { title: string; hint: string; secret: string };

export const CHANGE_LABEL: Record<string, string> = {
  "notification.destination.create": "created",
  "notification.destination.update": "changed",
  "notification.destination.rotate_key": "key rotated",
  "notification.test": "test sent",
};
