"use client";

import { useQuery } from "@tanstack/react-query";
import type { CapabilityView, FleetPoliciesView } from "@/lib/policy/views";
import { capabilityQueries, policyQueries } from "../queries";
import { CapabilityGraph } from "./capability-graph";
import { CapabilityRegistry } from "./capability-registry";
import { FleetPolicies } from "./fleet-policies";

/** The Policies page: who may call what, the capability registry, and the graph of who may ask whom, kept live from the first paint. */
export function PoliciesView({
  fleet: servedFleet,
  grants: servedGrants,
  canGrant,
}: {
  fleet: FleetPoliciesView;
  grants: CapabilityView[];
  canGrant: boolean;
}) {
  const fleet = useQuery({ ...policyQueries.fleet(), initialData: servedFleet }).data;
  const grants = useQuery({ ...capabilityQueries.list(), initialData: servedGrants }).data;
  const agentIds = [...fleet.policies.map((p) => p.agent_id), ...fleet.without_policy];
  return (
    <>
      <section aria-labelledby="who-calls-what" className="policies-section">
        <h2 id="who-calls-what">Who may call what</h2>
        <FleetPolicies fleet={fleet} />
      </section>
      <section aria-labelledby="capability-registry" className="policies-section">
        <h2 id="capability-registry">Capability registry</h2>
        <p className="subtitle">
          What each agent may ask another. Requests outside these grants, past their expiry or over their rate raise unauthorized_agent_request.
        </p>
        <CapabilityRegistry grants={grants} canGrant={canGrant} agentIds={agentIds} />
      </section>
      <section aria-labelledby="who-asks-whom" className="policies-section">
        <h2 id="who-asks-whom">Who may ask whom</h2>
        <CapabilityGraph grants={grants} />
      </section>
    </>
  );
}
