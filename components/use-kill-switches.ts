"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { KillSwitchView } from "@/db/queries/killswitch";

export interface KillSwitchState {
  redis: "ok" | "unreachable" | "not_configured";
  global: KillSwitchView | null;
  agents: KillSwitchView[];
}

async function fetchState(): Promise<KillSwitchState> {
  const res = await fetch("/api/v1/killswitch", { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`kill-switch state unavailable (${res.status})`);
  return (await res.json()) as KillSwitchState;
}

/** Kill-switch state, refreshed the moment any console, agent tool or redis-cli changes it. */
export function useKillSwitches() {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["killswitch"], queryFn: fetchState, refetchInterval: 15_000 });
  useEffect(() => {
    const source = new EventSource("/api/v1/killswitch/stream");
    source.onmessage = () => void client.invalidateQueries({ queryKey: ["killswitch"] });
    source.onerror = () => void client.invalidateQueries({ queryKey: ["killswitch"] });
    return () => source.close();
  }, [client]);
  return query;
}
