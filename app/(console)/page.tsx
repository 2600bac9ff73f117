import type { Metadata } from "next";
import { DashboardView } from "@/components/dashboard/dashboard";
import { appDb } from "@/db/client";
import { dashboardRangeSchema, getDashboard } from "@/db/queries/dashboard";
import { requireUser } from "./require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  // An unknown range in a link falls back to the default rather than failing the home page.
  const range = dashboardRangeSchema.catch("1h").parse((await searchParams).range);
  const initial = await getDashboard(appDb(), range);
  return (
    <>
      <h1>Dashboard</h1>
      <p className="subtitle">Activity, findings, open alerts, cost and kill state across every agent, kept live.</p>
      <DashboardView initial={initial} />
    </>
  );
}
