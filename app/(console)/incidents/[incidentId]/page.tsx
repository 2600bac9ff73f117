import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { IncidentRunbook } from "@/components/incident/incident-runbook";
import { RotationFailuresBanner } from "@/components/rotation/incident-failures";
import { appDb } from "@/db/client";
import { getIncidentRow } from "@/db/queries/incidents";
import { actorId } from "@/lib/context";
import { incidentRef } from "@/lib/incidents/types";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ incidentId: string }> };

function parseIncidentId(raw: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : null;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const id = parseIncidentId((await params).incidentId);
  return { title: id === null ? "Incident" : incidentRef(id) };
}

export default async function IncidentPage({ params }: Props) {
  const me = await requireUser();
  const id = parseIncidentId((await params).incidentId);
  // A missing incident is a 404 page, not a page that keeps loading.
  if (id === null || !(await getIncidentRow(appDb(), id))) notFound();
  return (
    <>
      <RotationFailuresBanner incidentId={id} role={me.role} />
      <IncidentRunbook incidentId={id} role={me.role} myActorId={actorId(me)} />
    </>
  );
}
