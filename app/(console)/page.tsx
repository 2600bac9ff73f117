import type { Metadata } from "next";
import { appDb } from "@/db/client";
import { getDashboard } from "@/db/queries/dashboard";
import { DashboardView } from "@/components/dashboard/dashboard";
import { requireUser } from "./require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  await requireUser();
  const initial = await getDashboard(appDb(), "1h");
  return (
    <>
      <h1>Dashboard</h1>
      <p className="subtitle">Activity, findings, open alerts, cost and kill state across every agent, kept live.</p>
      <DashboardView initial={initial} />
    </>
  );
}
