import type { Metadata } from "next";
import { PoliciesView } from "@/components/policies/policies-view";
import { appDb } from "@/db/client";
import { listCapabilities, listFleetPolicies } from "@/db/queries/policies";
import { roleAtLeast } from "@/lib/auth/roles";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage() {
  const me = await requireUser();
  const db = appDb();
  const [fleet, grants] = await Promise.all([listFleetPolicies(db), listCapabilities(db, { includeRevoked: false })]);
  return (
    <>
      <h1>Policies</h1>
      <p className="subtitle">Least privilege across the fleet: each agent&apos;s security policy, and the grants by which one agent may ask another.</p>
      <PoliciesView fleet={fleet} grants={grants} canGrant={roleAtLeast(me.role, "admin")} />
    </>
  );
}
