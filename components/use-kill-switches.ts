"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { killSwitchQueries } from "./queries";

/** Kill-switch state; KillSwitchLiveUpdates keeps it current. */
export function useKillSwitches() {
  return useQuery({ ...killSwitchQueries.state(), refetchInterval: 15_000 });
}

/**
 * One event stream per page (mounted once in the console layout): browsers allow only a few
 * connections per host, so a stream per control would starve the page's own requests.
 */
export function KillSwitchLiveUpdates() {
  const client = useQueryClient();
  useEffect(() => {
    const source = new EventSource("/api/v1/killswitch/stream");
    const refresh = () => void client.invalidateQueries({ queryKey: killSwitchQueries.state().queryKey });
    source.onmessage = refresh;
    source.onerror = refresh;
    return () => source.close();
  }, [client]);
  return null;
}
