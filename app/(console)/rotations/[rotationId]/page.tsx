import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Forbidden } from "@/components/forbidden";
import { RotationRun } from "@/components/rotation/rotation-run";
import { appDb } from "@/db/client";
import { getRotationRun } from "@/db/queries/rotations";
import { roleAtLeast } from "@/lib/auth/roles";
import { rotationIdSchema } from "@/lib/rotation/schemas";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ rotationId: string }> };

export const metadata: Metadata = { title: "Credential rotation" };

export default async function RotationPage({ params }: Props) {
  const me = await requireUser();
  if (!roleAtLeast(me.role, "analyst")) return <Forbidden role={me.role} need="analyst" what="see credential rotations" />;
  const id = rotationIdSchema.safeParse((await params).rotationId);
  if (!id.success) notFound();
  const run = await getRotationRun(appDb(), id.data);
  if (!run) notFound();
  return <RotationRun initial={run} role={me.role} />;
}
