"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { IncidentView } from "@/lib/incidents/types";
import { callApi } from "../api-client";
import { incidentQueries } from "../queries";

/** Posts one change; returns the server's sentence when it refused, or null when the page already shows the result. */
export type Act = (method: "POST" | "PUT", path: string, body?: unknown) => Promise<string | null>;

export const incidentKey = (id: number) => incidentQueries.detail(id).queryKey;

export function useIncidentAction(incidentId: number): Act {
  const client = useQueryClient();
  return useCallback(
    async (method, path, body) => {
      const result = await callApi<{ incident: IncidentView }>(method, `/api/v1/incidents/${incidentId}${path}`, body);
      void client.invalidateQueries({ queryKey: [...incidentQueries.all, "list"] });
      if (!result.ok) {
        // Usually someone else got there first (409): show them what the incident is now.
        void client.invalidateQueries({ queryKey: incidentKey(incidentId) });
        return result.error;
      }
      // A poll started before the change must not paint the old state over the answer.
      await client.cancelQueries({ queryKey: incidentKey(incidentId) });
      client.setQueryData(incidentKey(incidentId), result.data.incident);
      return null;
    },
    [client, incidentId],
  );
}
