"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { RedisSharingView } from "@/lib/killswitch/ownership";
import type { KillSwitchView } from "@/lib/killswitch/views";

export interface KillSwitchState {
  redis: "ok" | "unreachable" | "not_configured";
  redis_sharing: RedisSharingView | null;
  global: KillSwitchView | null;
  agents: KillSwitchView[];
}

async function fetchState(): Promise<KillSwitchState> {
  const res = await fetch("/api/v1/killswitch", { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`kill-switch state unavailable (${res.status})`);
  return (await res.json()) as KillSwitchState;
}

/** Kill-switch state; KillSwitchLiveUpdates keeps it current. */
export function useKillSwitches() {
  return useQuery({ queryKey: ["killswitch"], queryFn: fetchState, refetchInterval: 15_000 });
}

/**
 * One event stream per page (mounted once in the console layout): browsers allow only a few
 * connections per host, so a stream per control would starve the page's own requests.
 */
export function KillSwitchLiveUpdates() {
  const client = useQueryClient();
  useEffect(() => {
    const source = new EventSource("/api/v1/killswitch/stream");
    source.onmessage = () => void client.invalidateQueries({ queryKey: ["killswitch"] });
    source.onerror = () => void client.invalidateQueries({ queryKey: ["killswitch"] });
    return () => source.close();
  }, [client]);
  return null;
}
